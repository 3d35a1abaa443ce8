#!/usr/bin/env bash
# One command for a CUDA GPU at hand for a few minutes (under 8 in all): the speed benchmarks and a short real-data run,
# each written to benchmarks/results/*_gpu.csv with the device name, from the repository root:
#
#   bash benchmarks/gpu_check.sh
#
# Needs a python3 whose torch sees a CUDA GPU and the packages of pyproject.toml (a machine without network can get
# them as wheels: PIP_WHEELS=<folder of .whl files> installs them into a temporary folder first). CIFAR-10 must be in
# resources/cifar10 (official layout), or a packed copy with its decode.py in resources/cifar10-jpeg, decoded first.
# Fails at once, saying why, without a GPU; each step has its own time limit, and a step cut short or failing leaves
# what it finished (the benchmarks rewrite their CSV after every row) and the next step runs.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
RESULTS=benchmarks/results
LOGS="${GPU_CHECK_LOGS:-results/gpu_check}"
mkdir -p "$RESULTS" "$LOGS"
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1

if [[ -n "${PIP_WHEELS:-}" ]]; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --target /tmp/robopt-site "$PIP_WHEELS"/*.whl \
        || { echo "gpu_check: installing the wheels of $PIP_WHEELS failed" >&2; exit 2; }
    export PYTHONPATH="$PYTHONPATH:/tmp/robopt-site"
fi

if ! device="$("$PYTHON" -c 'import torch; assert torch.cuda.is_available(); print(torch.cuda.get_device_name(0))' 2>/dev/null)"; then
    echo "gpu_check: no CUDA GPU is visible to $PYTHON (torch.cuda.is_available() is False); nothing was run" >&2
    exit 2
fi
missing="$("$PYTHON" -c '
import importlib.util
need = ["pandas", "yaml", "jsonschema", "scipy", "skimage", "cv2", "PIL"]
print(" ".join(n for n in need if importlib.util.find_spec(n) is None))')"
if [[ -n "$missing" ]]; then
    echo "gpu_check: $PYTHON lacks the package(s) $missing (pip install -e ., or PIP_WHEELS=<folder>)" >&2
    exit 2
fi
echo "gpu_check on $device"

if [[ ! -d resources/cifar10/cifar-10-batches-py && -f resources/cifar10-jpeg/decode.py ]]; then
    "$PYTHON" resources/cifar10-jpeg/decode.py resources/cifar10 > "$LOGS/decode.log" 2>&1
fi

status=0
step() {  # step <name> <seconds> <command...>
    local name="$1" limit="$2"
    shift 2
    local started=$SECONDS
    timeout --signal=INT --kill-after=10 "$limit" "$@" > "$LOGS/$name.log" 2>&1
    local rc=$?
    echo "  $name: exit $rc after $((SECONDS - started)) s (log: $LOGS/$name.log)"
    [[ $rc -eq 0 ]] || status=1
}

step train_step 120 "$PYTHON" benchmarks/train_step.py --device cuda --models small_cnn resnet18 --steps 20 \
    --modes eager compiled --out "$RESULTS/train_step_gpu.csv"
package_images=0
"$PYTHON" -c 'import imagecorruptions' 2>/dev/null && package_images=100
step corruptions 60 "$PYTHON" benchmarks/corruptions.py --device cuda --robopt-images 2000 \
    --package-images "$package_images" --out "$RESULTS/corruptions_gpu.csv"
step lopt_population 80 "$PYTHON" benchmarks/lopt_population.py --device cuda --sizes 1 16 64 256 --steps 5 \
    --out "$RESULTS/lopt_population_gpu.csv"
step imagenet_step 60 "$PYTHON" benchmarks/train_step.py --device cuda --config config/imagenet.yaml \
    --recipe resnet50 --models resnet50 --methods dropout damp sam --baseline dropout --batch 256 --image-size 224 \
    --classes 1000 --train-images 1281167 --steps 5 --out "$RESULTS/imagenet_step_gpu.csv"
step imagenet_loader 30 "$PYTHON" benchmarks/imagenet_loader.py --device cuda --images 512 --workers 8 \
    --out "$RESULTS/imagenet_loader_gpu.csv"
if [[ -d resources/cifar10/cifar-10-batches-py ]]; then
    step real_run 130 "$PYTHON" benchmarks/real_run.py --device cuda --data resources/cifar10 --methods sgd damp \
        --epochs 3 --test-images 2000 --out "$RESULTS/real_run_gpu.csv"
else
    echo "  real_run: skipped, no CIFAR-10 in resources/cifar10 (see the header of this script)"
    status=1
fi
ls -l "$RESULTS"/*_gpu.csv 2>/dev/null
exit $status
