// What every form that changes something carries back: the page's view (to return to it, with the
// outcome in ?notice=) and the project the change is for.

export function ViewFormFields({ query, project }: { query: string; project: string }) {
  return (
    <>
      <input type="hidden" name="query" value={query} />
      <input type="hidden" name="project" value={project} />
    </>
  );
}
