import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go into a failure's encoded attributes, which the payload codec
 * encrypts like any payload: Temporal stores "Encoded failure" where a message naming a person
 * could otherwise be read. Loaded by path (failureConverterPath) by clients, the worker and its
 * workflow bundle alike.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
