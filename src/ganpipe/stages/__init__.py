"""What each DVC stage runs: one module per stage, named after it, with one ``run_<stage>``.

``stages/<stage>.py`` (the script dvc.yaml's ``cmd`` runs) parses the paths the ``cmd`` passes
into the stage's typed paths object, loads the params, and calls
``ganpipe.stages.<stage>.run_<stage>(paths, params=...)``; the train stage calls the training
loop (``ganpipe.train.loop.training_loop``) itself: it is that stage's ``run``.
These functions read a stage's inputs, call the concern modules (``clean``, ``augment``,
``train``, ``metrics`` ...) and write its outputs; the work itself lives in those modules
(docs/ARCHITECTURE.md).
"""
