/**
 * Thrown by a handler that must not handle a message in this process, though another may: the
 * message goes back to its queue after a pause, its attempts untouched, for an instance that
 * can. During a rolling deploy, an orchestrator that meets a saga started under a newer step
 * table than it knows leaves it to the instances that know it, rather than guess.
 */
export class LeftToOthers extends Error {
  override readonly name = 'LeftToOthers';
}
