"""Errors of the supervision verbs, each with the HTTP status the API answers with."""


class WorkflowError(Exception):
    """Bad input (400): the message names the finding, branch, field or person at fault."""

    status_code = 400

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class TransitionNotAllowed(WorkflowError):
    status_code = 409


class NotYourAction(WorkflowError):
    status_code = 403
