// The supervisor's page: the escalations to decide and one person's (decide, release, extend, end
// early, the next measure), the peace/war switch and policy rollouts previewed before they happen,
// the daily reports with their chart, a post's roster as a chart and the shift requests to decide,
// and the policy versions. One view at a time (#/person/<number>, #/roster/<postId>, #/requests).
import { startViews } from '/app/shared/views.js';
import { showEscalations, showPerson } from './escalations.js';
import { MESSAGES } from './messages.js';
import { showReport } from './report.js';
import { showRequests } from './requests.js';
import { showRoster } from './roster.js';
import { showMode, showPolicies } from './whatif.js';

// Times and sheets are in the jurisdiction's local time (the login's time zone).
startViews({
  messages: MESSAGES,
  views: { '': showEscalations, person: showPerson, mode: showMode, policies: showPolicies, report: showReport, roster: showRoster, requests: showRequests },
});
