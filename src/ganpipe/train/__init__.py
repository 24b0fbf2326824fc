"""Training: the loop (:mod:`ganpipe.train.loop`), its state, steps, losses, EMA, DiffAugment and
checkpoints. Import the module you need: this package imports none of them, so importing one
(say ``ganpipe.train.snapshot`` for sampling) does not load the rest."""
