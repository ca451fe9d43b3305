// A bound on the memory of gRPC messages still arriving. grpc-js holds each message whole before
// the handler (and so admission) sees it; this interceptor counts the calls between their metadata
// and their message, and refuses a new call with RESOURCE_EXHAUSTED and a retry delay once `max`
// are arriving. With the message limit, that bounds what they hold: max × the largest message.

import * as grpc from '@grpc/grpc-js';
import { OVERLOADED_RETRY_SECONDS } from '../../pipeline/ingest-failure.ts';
import { retryInfoTrailers } from './rpc-status.ts';

export interface ReceptionEvents {
  /** A call to `path` was refused. */
  refused(path: string): void;
  /** The number of calls whose metadata came and whose message has not yet changed. */
  receiving(count: number): void;
}

export function receptionLimit(max: number, events: ReceptionEvents): grpc.ServerInterceptor {
  let receiving = 0;
  return (method, call) => {
    let counted = false;
    const arrived = () => {
      if (!counted) return;
      counted = false;
      events.receiving(--receiving);
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            if (receiving >= max) {
              events.refused(method.path);
              const details = `too many messages arriving at once (${receiving}), retry later`;
              const code = grpc.status.RESOURCE_EXHAUSTED;
              call.sendStatus({ code, details, metadata: retryInfoTrailers(code, details, OVERLOADED_RETRY_SECONDS) });
              return;
            }
            events.receiving(++receiving);
            counted = true;
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            arrived();
            nextMessage(message);
          },
          onCancel: arrived,
        }),
      // A message refused while arriving (over the size limit) ends the call without reaching onReceiveMessage.
      sendStatus: (status, nextStatus) => {
        arrived();
        nextStatus(status);
      },
    });
  };
}
