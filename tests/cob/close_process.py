"""The daily close in a process of its own, for the crash tests (kill -9 in the middle).

    python -m tests.cob.close_process 2026-12-26 [--batch 20] [--pause-at recalculo_motor:2]
                                      [--allow-date-jump]

Runs `cob.services.close_run` like `recupera cob` does (no actor, progress printed), with the
batch size and the pause injected as parameters: `--pause-at STEP:N` passes an `after_batch`
callback that, after the N-th committed batch of STEP, prints COB-PAUSA and sleeps so the test
can kill the process at that exact point. DATABASE_URL comes from the environment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time


def pause_at(spec: str):  # type: ignore[no-untyped-def]
    """after_batch callback: stop (print the marker, sleep) after batch N of step STEP."""
    step_name, _, count = spec.partition(":")

    def after_batch(name: str, batches: int) -> None:
        if name == step_name and batches == int(count):
            print("COB-PAUSA", flush=True)
            time.sleep(600)

    return after_batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("date", type=dt.date.fromisoformat)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--pause-at", default="")
    parser.add_argument("--allow-date-jump", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recupera.settings")
    import django

    django.setup()
    from recupera.cob.services import close_run

    run = close_run(actor=None, business_date=args.date, allow_date_jump=args.allow_date_jump,
                    progress=lambda message: print(message, flush=True), batch_size=args.batch,
                    after_batch=pause_at(args.pause_at) if args.pause_at else None)
    print(f"cierre {run.business_date:%d/%m/%Y}: {run.status}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
