// One test class at a time: the batching instruments are process-wide (the PromptOps meter), and a test reads their counts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
