"""A torchrun worker: ``python -m robopt.distributed <spec>`` runs the job function saved in ``spec`` on this rank
(``robopt.distributed.launch.run_job`` writes the file and starts the workers)."""

from __future__ import annotations

import logging
import os
import sys

import torch

from robopt.distributed.launch import load_function


def main(spec_path: str) -> None:
    rank = int(os.environ.get("RANK", "0"))
    logging.basicConfig(level=logging.INFO if rank == 0 else logging.WARNING, stream=sys.stderr, force=True,
                        format=f"%(asctime)s rank{rank} %(name)s %(levelname)s %(message)s")
    logging.captureWarnings(True)
    spec = torch.load(spec_path, map_location="cpu", weights_only=False)
    load_function(spec["function"])(**spec["kwargs"])


if __name__ == "__main__":
    main(sys.argv[1])
