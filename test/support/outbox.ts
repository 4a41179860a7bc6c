import { DataSource } from 'typeorm';
import { NotificationChannels } from '../../libs/notifications/channels';
import { NotificationOutbox } from '../../libs/notifications/notification-outbox';
import { RecipientResolver } from '../../libs/notifications/recipient-resolver';
import { PersonRepository } from '../../libs/persistence/observation/person.repository';
import { NotificationRepository } from '../../libs/persistence/platform/notification.repository';
import { RoutingRepository } from '../../libs/persistence/platform/routing.repository';
import { UserRepository } from '../../libs/persistence/platform/user.repository';

/** The outbox as the worker wires it, on the test's database and channels. */
export function notificationOutbox(db: DataSource, channels: NotificationChannels, notifications = new NotificationRepository(db)): NotificationOutbox {
  const routing = new RoutingRepository(db);
  return new NotificationOutbox(notifications, channels, new PersonRepository(db), new UserRepository(db), routing, new RecipientResolver(routing));
}
