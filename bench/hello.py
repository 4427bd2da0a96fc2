"""The baseline of bench/workflows.py: a workflow that runs one activity and returns.

It is the least a Temporal workflow can do on this machine (one workflow task to schedule the
activity, the activity, one workflow task to complete), so the ratio of a Concordat workflow's
rate to its rate says what the governance process costs on top of Temporal itself. Not part of
the product: only the benchmark's worker process registers it.
"""

from datetime import timedelta

from temporalio import activity, workflow

HELLO_ACTIVITY = "bench-hello"


@activity.defn(name=HELLO_ACTIVITY)
async def say_hello(name: str) -> str:
    return f"Hello, {name}"


@workflow.defn(name="BenchHello")
class HelloWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        greeting: str = await workflow.execute_activity(
            say_hello, name, start_to_close_timeout=timedelta(seconds=30)
        )
        return greeting
