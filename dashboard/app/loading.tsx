// Shown at once while a page's queries run: the page streams in when they are done.

import { SKELETON_BLOCK as block } from '../components/skeleton.tsx';

export default function Loading() {
  return (
    <div data-testid="skeleton" role="status" aria-busy="true" aria-label="loading">
      <div className={`mb-6 h-10 w-2/3 ${block}`} />
      <div className="mb-6 grid grid-cols-2 gap-4 xl:grid-cols-4">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className={`h-24 ${block}`} />
        ))}
      </div>
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        {[0, 1, 2, 3].map((i) => (
          <div key={i} className={`h-72 ${block}`} />
        ))}
      </div>
    </div>
  );
}
