import type { ErrorCode } from '../errors.js';

// The one place error codes become HTTP statuses.

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  BAD_CONFIG: 400,
  BAD_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ALREADY_STARTED: 409,
  NOT_RUNNING: 409,
  COMMAND_NOT_FOUND: 422,
  NOT_EXECUTABLE: 422,
  BAD_CWD: 422,
  DEPENDENCY_FAILED: 424,
  SPAWN_FAILED: 500,
  BAD_TRANSITION: 500,
  DAEMON_UNAVAILABLE: 503,
  DAEMON_LOCKED: 503,
  UNSAFE_PATH: 422,
  TIMEOUT: 504,
  STARTUP_FAILED: 500,
  NEEDS_ROOT: 403,
  NOT_SUPPORTED: 409,
  INTERNAL: 500,
};

export function getHttpStatus(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}
