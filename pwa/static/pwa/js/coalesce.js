// One run at a time: a call while a run is under way shares it, and the run
// goes round once more afterwards, since something changed meanwhile.
export function coalesced(run) {
  let running = null;
  let again = false;
  const call = () => {
    if (running) {
      again = true;
      return running;
    }
    running = run().finally(() => {
      running = null;
      if (again) {
        again = false;
        call().catch(() => {});
      }
    });
    return running;
  };
  return call;
}
