// Each test runs three app processes (plus Redis, mail servers); in parallel they would starve one another on a
// small machine and turn lease timings into noise.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
