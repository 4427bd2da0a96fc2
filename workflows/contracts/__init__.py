"""The models Concordat's workflows take and return, passed through the sandbox (worker.py).

Models only: no workflow logic and no state a run could change, so the worker builds each once
rather than once for every workflow run, and Temporal's data converter reads every run's inputs
and updates with the same validators. The workflows that use them stay sandboxed.
"""
