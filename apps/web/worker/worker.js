// The community worker's page: today's worklist, a person (report and the 14-day sheet), enrol one
// person, import a ledger. One view at a time (#/person/<number>), so a row of the worklist is one tap
// to the person and the back button comes back to the list.
import { startViews } from '/app/shared/views.js';
import { showEnrol } from './enrol.js';
import { showImport } from './import.js';
import { MESSAGES } from './messages.js';
import { showPerson } from './person.js';
import { showWorklist } from './worklist.js';

// Slots and sheets are in the jurisdiction's local time (the login's time zone).
startViews({
  messages: MESSAGES,
  views: { '': showWorklist, person: showPerson, enrol: showEnrol, import: showImport },
});
