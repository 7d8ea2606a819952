/**
 * An action's cost from a funding call's standard unit costs (simplified cost options, as ESF
 * calls state them): a rate per course hour plus a rate per participant hour. Integer cents.
 */
export interface UnitCosts {
  course_hour_cents: number;
  participant_hour_cents: number;
}

export function actionCostCents(
  action: { participants: number; hours: number },
  call: UnitCosts,
): number {
  return (
    action.hours * call.course_hour_cents +
    action.participants * action.hours * call.participant_hour_cents
  );
}
