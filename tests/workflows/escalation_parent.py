"""A stand-in for the partnership workflow that starts one escalation with an input the test
chooses: the partnership passes no history limit to its children, and the continue-as-new test
needs one. It runs under the partnership's workflow id, as `require_partnership_parent` asks."""

from temporalio import workflow

from workflows.escalation import EscalationInput, EscalationResult, EscalationWorkflow


@workflow.defn(name="EscalationParent")
class EscalationParent:
    @workflow.run
    async def run(self, input: EscalationInput) -> EscalationResult:
        return await workflow.execute_child_workflow(
            EscalationWorkflow.run, input, id=input.process_id
        )
