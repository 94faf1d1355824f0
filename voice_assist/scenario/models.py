"""The scenario: a dialog graph written by a scriptwriter (pydantic models, immutable).

`docs/scenario-format.md` documents every key. Phrases are always text: a bare `yes`, `no`,
`on`, `off` or `5` in YAML is the word a customer says, never a boolean or a number.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

SALES_STAGES = ("contact", "needs", "presentation", "objections", "closing")
HOTLINE_STAGES = ("greet", "listen", "consult", "record")


def _as_text(value: Any) -> Any:
    """Scalars YAML typed (true, 5, 2.5) are the words the scriptwriter wrote.

    The loader reads YAML 1.2, where yes/no/on/off are already text; numbers it read keep
    the text they were written as (`007` stays `007`).
    """
    source = getattr(value, "yaml_source", None)
    if isinstance(source, str):
        return source
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Identifier = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Answer(_Model):
    """A customer answer expected at a step, recognised by any of its phrases."""

    id: Identifier
    phrases: list[Text] = Field(min_length=1)
    next: Identifier | None = None
    threshold: float | None = Field(default=None, ge=0, le=100)
    label: Text | None = None


class GlobalAnswer(Answer):
    """An objection or question that can come at any step; `resume` returns afterwards."""

    resume: bool = False
    steps: list[Identifier] | None = None  # only at these steps (default: everywhere)


class FieldSpec(_Model):
    """A value the operator fills in during the call (from speech where the type allows)."""

    id: Identifier
    label: Text
    type: Literal["text", "phone", "number", "date", "choice", "yesno"] = "text"
    choices: list[Text] = Field(default_factory=list)
    digits: list[Annotated[int, Field(ge=1, le=30)]] = Field(default_factory=list)
    required: bool = False

    @model_validator(mode="before")
    @classmethod
    def _digits_as_list(cls, data: Any) -> Any:
        """`digits: 7` is `digits: [7]`."""
        if isinstance(data, dict) and isinstance(data.get("digits"), int):
            return {**data, "digits": [data["digits"]]}
        return data

    @model_validator(mode="after")
    def _choices_for_choice(self) -> FieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError("a field of type 'choice' needs 'choices'")
        if self.type != "choice" and self.choices:
            raise ValueError(f"'choices' only apply to type 'choice', not '{self.type}'")
        if self.digits and self.type not in ("phone", "number"):
            raise ValueError(f"'digits' only apply to 'phone' and 'number', not '{self.type}'")
        return self

    def fits(self, value: str) -> bool:
        """Whether a value heard from speech has a length this field accepts (`digits`)."""
        return not self.digits or digit_count(value) in self.digits


def digit_count(value: str) -> int:
    """How many digits a phone or number value has (what `FieldSpec.digits` counts)."""
    return sum(c.isdigit() for c in value)


class Step(_Model):
    """One step of the dialog: what the operator says and what the customer may answer."""

    id: Identifier
    stage: Text | None = None
    say: Text = ""
    verbatim: bool = False
    hints: list[Text] = Field(default_factory=list)
    capture: list[Identifier] = Field(default_factory=list)
    answers: list[Answer] = Field(default_factory=list)
    next: Identifier | None = None  # where "continue" goes when no answer is expected
    end: bool = False
    title: Text | None = None


class ReminderWhen(_Model):
    """When a reminder is due; exactly one trigger."""

    enter_step: Identifier | None = None
    enter_stage: Text | None = None
    after_s: float | None = Field(default=None, gt=0)
    step: Identifier | None = None  # with after_s: seconds in this step (default: any step)
    before_step: Identifier | None = None
    field: Identifier | None = None  # with before_step: while this required field is empty

    @model_validator(mode="after")
    def _one_trigger(self) -> ReminderWhen:
        triggers = [
            self.enter_step is not None,
            self.enter_stage is not None,
            self.after_s is not None,
            self.before_step is not None,
        ]
        if sum(triggers) != 1:
            raise ValueError(
                "give exactly one of enter_step, enter_stage, after_s, before_step"
            )
        if self.field is not None and self.before_step is None:
            raise ValueError("'field' goes with 'before_step'")
        if self.step is not None and self.after_s is None:
            raise ValueError("'step' goes with 'after_s'")
        return self


class Reminder(_Model):
    """Something the operator must not forget, shown when due."""

    id: Identifier
    text: Text
    when: ReminderWhen
    repeat: bool = False


class Transfer(_Model):
    """When to transfer the call, to whom, and what to say before doing it."""

    id: Identifier
    target: Text
    say: Text
    phrases: list[Text] = Field(default_factory=list)
    when: Text | None = None  # a human description of the rule
    step: Identifier | None = None  # a step to enter when the operator accepts


class Article(_Model):
    """A knowledge-base entry for the operator to look up."""

    id: Identifier
    title: Text
    body: Text
    tags: list[Text] = Field(default_factory=list)


class Silence(_Model):
    """A hint shown when the customer says nothing for `after_s` seconds."""

    after_s: float = Field(gt=0)
    text: Text
    steps: list[Identifier] | None = None


class Scenario(_Model):
    """A whole scenario. Lookup helpers are derived, never stored twice."""

    id: Identifier
    title: Text
    language: Annotated[str, Field(min_length=2, max_length=8)] = "en"
    start: Identifier
    version: Text | None = None
    description: Text | None = None
    stages: list[Text] | None = None
    steps: list[Step] = Field(min_length=1)
    fields: list[FieldSpec] = Field(default_factory=list)
    global_answers: list[GlobalAnswer] = Field(default_factory=list)
    reminders: list[Reminder] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    knowledge: list[Article] = Field(default_factory=list)
    silence: list[Silence] = Field(default_factory=list)

    _steps_by_id: dict[str, Step] = PrivateAttr(default_factory=dict)
    _fields_by_id: dict[str, FieldSpec] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        self._steps_by_id.update((s.id, s) for s in self.steps)
        self._fields_by_id.update((f.id, f) for f in self.fields)

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if none)."""
        return self._steps_by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps_by_id

    def field(self, field_id: str) -> FieldSpec | None:
        return self._fields_by_id.get(field_id)

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]
