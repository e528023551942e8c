import type { Logger } from '../config/logger';
import type { Services } from '../services';

/** Who is calling, once issue-level auth has resolved the API key. */
export interface Principal {
  userId: string;
  role: 'ADMIN' | 'USER';
  apiKeyId: string;
}

export interface GraphQLContext {
  requestId: string;
  log: Logger;
  services: Services;
  principal: Principal | null;
}
