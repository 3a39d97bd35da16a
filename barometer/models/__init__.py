from barometer.models.questionnaire import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)
from barometer.models.response import Answer, PendingResponse, Response
from barometer.models.wave import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)

__all__ = [
    "Answer",
    "EmailKind",
    "EmailStatus",
    "Invitation",
    "InvitationEmail",
    "PendingResponse",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireKind",
    "QuestionnaireVersion",
    "Response",
    "Section",
    "VersionStatus",
    "Wave",
    "WaveSchool",
    "WaveSchoolStatus",
    "WaveTiming",
]
