/**
 * The symptoms a person ticks on the self-report page (the early signs China's diagnosis protocol
 * lists besides fever); the page shows each code in its language. Any of them opens a symptom
 * escalation, as a worker's report of symptoms does.
 */
export const SYMPTOMS = [
  'dry_cough',
  'sore_throat',
  'fatigue',
  'loss_of_smell_or_taste',
  'nasal_congestion',
  'runny_nose',
  'muscle_ache',
  'diarrhoea',
  'conjunctivitis',
  'shortness_of_breath',
] as const;

export type Symptom = (typeof SYMPTOMS)[number];
