#!/usr/bin/env bash
# The GPU path in one go (under 10 minutes on one GPU), from the repository root, in the venv:
#   bash benchmarks/gpu_check.sh 2>&1 | tee gpu_check.log
# 1. the training tests on CUDA (tests/unit/train: their device "auto" picks CUDA here), among
#    them every option's run and the exact resume after kill -9;
# 2. a short AMP training loop for every architecture x D head (benchmarks/gpu_check.py);
# 3. the train stage under torchrun on every GPU there is (NCCL);
# 4. benchmarks/train.py --device cuda at 28, 64 and 128 px, and the real loop's img/s.
# Exits 3 where there is no CUDA device; otherwise with the number of failed parts.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
if ! "$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  echo "gpu_check: no CUDA device here (torch.cuda.is_available() is False): nothing checked"
  exit 3
fi
GPUS=$("$PY" -c "import torch; print(torch.cuda.device_count())")
nvidia-smi -L || true
failed=0
part() {  # part NAME SECONDS COMMAND...: run under a time limit, report, count failures
  local name=$1 limit=$2
  shift 2
  echo "=== gpu_check: $name"
  local start=$SECONDS
  if timeout "$limit" "$@"; then
    echo "=== gpu_check: $name: ok ($((SECONDS - start)) s)"
  else
    echo "=== gpu_check: $name: FAILED ($((SECONDS - start)) s)"
    failed=$((failed + 1))
  fi
}
part "training tests on CUDA" 240 "$PY" -m pytest -q -x -p no:cacheprovider \
  tests/unit/train/test_loop.py tests/unit/train/test_step.py tests/unit/train/test_precision.py
part "every arch x head, AMP" 120 "$PY" benchmarks/gpu_check.py --device cuda --kimg 20
STAGE=$(mktemp -d)
"$PY" -c "import sys; sys.path.insert(0, 'benchmarks'); from pathlib import Path; \
from train import synthetic_stage; synthetic_stage(Path('$STAGE/stage'), 10, 200)"
printf 'train: {device: cuda, batch_size: %s, total_kimg: 40, tick_kimg: 10, snapshot_kimg: 20}\n' \
  "$((256 * GPUS))" > "$STAGE/params.yaml"
part "torchrun x$GPUS (NCCL)" 120 "$PY" -m torch.distributed.run --standalone \
  --nproc_per_node "$GPUS" stages/train.py --params "$STAGE/params.yaml" --inp "$STAGE/stage" \
  --classifier "$STAGE/none.pt" --models "$STAGE/models" --live "$STAGE/live" \
  --metrics "$STAGE/train.json"
part "benchmarks/train.py --device cuda" 150 "$PY" benchmarks/train.py --device cuda \
  --batch 4096 --loop 400
rm -rf "$STAGE"
echo "gpu_check: $failed part(s) failed"
exit "$failed"
