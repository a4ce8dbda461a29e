"""What a statement is about: Activities and their definitions, StatementRefs, SubStatements."""

import pytest

from xapi.services.validation import StatementInvalid, statement_checked

from .factories import STATEMENT_ID, VERSIONS, activity, agent, attachment, group, statement, substatement, without

REF = {"objectType": "StatementRef", "id": STATEMENT_ID}


def _components(*ids):
    return [{"id": component_id, "description": {"en-US": component_id.title()}} for component_id in ids]


# A definition of each interactionType, with the component lists it may have.
INTERACTIONS = {
    "true-false": {"correctResponsesPattern": ["true"]},
    "choice": {"correctResponsesPattern": ["golf[,]tetris"], "choices": _components("golf", "tetris")},
    "fill-in": {"correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {"correctResponsesPattern": ["{case_matters=false}{lang=en}To store learning experiences."]},
    "matching": {"correctResponsesPattern": ["ben[.]3"], "source": _components("ben"), "target": _components("3")},
    "performance": {"correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"], "steps": _components("pong", "dg")},
    "sequencing": {"correctResponsesPattern": ["tim[,]mike"], "choices": _components("tim", "mike")},
    "likert": {"correctResponsesPattern": ["likert_3"], "scale": _components("likert_0", "likert_3")},
    "numeric": {"correctResponsesPattern": ["4[:]"]},
    "other": {"correctResponsesPattern": ["(35.937432,-86.868896)"]},
}


def _interaction(interaction_type, **changes):
    definition = {"interactionType": interaction_type, **INTERACTIONS[interaction_type], **changes}
    return statement(object=activity(definition=definition))


def _definition(**definition):
    return statement(object=activity(definition=definition))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("interaction_type", INTERACTIONS)
def test_each_interaction_type_with_its_components_is_accepted(interaction_type, version):
    sent = _interaction(interaction_type)

    assert statement_checked(sent, version=version) == sent


@pytest.mark.parametrize("interaction_type", INTERACTIONS)
def test_an_interaction_without_its_interaction_type_is_rejected(interaction_type):
    sent = without(_interaction(interaction_type), "object.definition.interactionType")

    with pytest.raises(StatementInvalid, match="needs an interactionType in the same definition"):
        statement_checked(sent, version="2.0.0")


ACCEPTED = [
    pytest.param(statement(object={"id": "http://example.com/activities/a"}), id="activity-without-objectType"),
    pytest.param(_definition(), id="empty-definition"),
    pytest.param(_definition(extensions={"http://example.com/ext": {"any": ["json", None]}}), id="extensions-only"),
    pytest.param(statement(object=REF), id="statement-ref"),
    pytest.param(statement(object=substatement(object=agent())), id="substatement-about-an-agent"),
    pytest.param(statement(object=substatement(object=group())), id="substatement-about-a-group"),
    pytest.param(statement(object=substatement(object=REF)), id="substatement-about-a-statement"),
    pytest.param(
        statement(
            object=substatement(
                result={"success": True},
                context={"platform": "langportal"},
                timestamp="2031-12-06T18:21:29.187Z",
                attachments=[attachment(fileUrl="https://example.com/essay.txt")],
            )
        ),
        id="substatement-with-result-context-timestamp-attachments",
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sent", ACCEPTED)
def test_an_object_the_standard_allows_is_accepted(sent, version):
    assert statement_checked(sent, version=version) == sent


REJECTED = [
    pytest.param(statement(object="http://example.com/a"), "object: must be an Activity, Agent", id="object-string"),
    pytest.param(statement(object=activity(objectType="activity")), "object.objectType: must be one of", id="case"),
    pytest.param(statement(object=activity(objectType=7)), "object.objectType: must be a string", id="type-number"),
    pytest.param(statement(object=without(activity(), "id")), "object.id: is required in an Activity", id="no-id"),
    pytest.param(statement(object=activity(id="www.example.com/a")), "object.id: must be an IRI", id="id-no-scheme"),
    pytest.param(statement(object=activity(id="ab=c://x.com")), "object.id: must be an IRI", id="id-bad-scheme"),
    pytest.param(statement(object=activity(name="Quiz")), "object.name: is not a property of an Activity", id="extra"),
    pytest.param(statement(object=activity(definition="Quiz")), "object.definition: must be an Activity Definition"),
    pytest.param(_definition(title="Quiz"), "object.definition.title: is not a property of an Activity Definition"),
    pytest.param(_definition(name="Quiz"), "object.definition.name: must be a language map", id="name-string"),
    pytest.param(
        _definition(name={"something": "Quiz"}),
        "object.definition.name: 'something' is not an RFC 5646 language tag",
        id="name-bad-tag",
    ),
    pytest.param(_definition(description=1234), "object.definition.description: must be a language map"),
    pytest.param(_definition(type="meeting"), "object.definition.type: must be an IRI", id="type-not-iri"),
    pytest.param(_definition(moreInfo="urn:x:y"), "object.definition.moreInfo: must be an IRL", id="moreInfo-not-irl"),
    pytest.param(_definition(extensions="none"), "object.definition.extensions: must be an extensions object"),
    pytest.param(
        _definition(extensions={"level": 3}), "object.definition.extensions: key 'level' must be an IRI", id="ext-key"
    ),
    pytest.param(
        _definition(choices=_components("golf")),
        "object.definition.choices: needs an interactionType in the same definition",
        id="components-without-interaction-type",
    ),
    pytest.param(_interaction("choice", interactionType="Choice"), "object.definition.interactionType: must be one of"),
    pytest.param(_interaction("other", interactionType=1), "object.definition.interactionType: must be a string"),
    pytest.param(
        _interaction("numeric", correctResponsesPattern="4[:]"),
        "object.definition.correctResponsesPattern: must be an array",
        id="patterns-not-array",
    ),
    pytest.param(
        _interaction("numeric", correctResponsesPattern=[4]),
        "object.definition.correctResponsesPattern[0]: must be a string",
        id="pattern-number",
    ),
    pytest.param(
        _interaction("likert", choices=_components("a")),
        'object.definition.choices: is not a component list of a "likert" interaction',
        id="choices-for-likert",
    ),
    pytest.param(
        _interaction("true-false", scale=_components("a")),
        'object.definition.scale: is not a component list of a "true-false" interaction',
        id="scale-for-true-false",
    ),
    pytest.param(
        _interaction("choice", choices={"id": "golf"}), "object.definition.choices: must be an array", id="choices-obj"
    ),
    pytest.param(
        _interaction("choice", choices=[{"id": "golf"}, {"description": {"en": "x"}}]),
        "object.definition.choices[1].id: is required in an Interaction Component",
        id="component-without-id",
    ),
    pytest.param(
        _interaction("choice", choices=[{"id": 1}]), "object.definition.choices[0].id: must be a string", id="id-number"
    ),
    pytest.param(
        _interaction("performance", steps=_components("pong", "pong")),
        "object.definition.steps[1].id: 'pong' is already the id of another component here",
        id="component-ids-repeat",
    ),
    pytest.param(
        _interaction("matching", target=[{"id": "3", "description": {"x-": "3"}}]),
        "object.definition.target[0].description: 'x-' is not an RFC 5646 language tag",
        id="component-description-tag",
    ),
    pytest.param(
        _interaction("sequencing", choices=[{"id": "tim", "name": "Tim"}]),
        "object.definition.choices[0].name: is not a property of an Interaction Component",
        id="component-extra",
    ),
    pytest.param(statement(object=without(REF, "id")), "object.id: is required in a StatementRef", id="ref-without-id"),
    pytest.param(statement(object={**REF, "id": "should fail"}), "object.id: must be a UUID", id="ref-id-not-uuid"),
    pytest.param(statement(object={**REF, "definition": {}}), "object.definition: is not a property of a StatementRef"),
    pytest.param(
        statement(object=substatement(object=substatement())),
        "object.object.objectType: a SubStatement cannot have a SubStatement as its object",
        id="nested-substatement",
    ),
    *[
        pytest.param(
            statement(object=substatement(**{key: value})),
            f"object.{key}: is not allowed in a SubStatement",
            id=f"substatement-with-{key}",
        )
        for key, value in {
            "id": STATEMENT_ID,
            "stored": "2013-05-18T05:32:34.804Z",
            "version": "1.0.0",
            "authority": agent(),
        }.items()
    ],
    *[
        pytest.param(
            statement(object=without(substatement(), key)),
            f"object.{key}: is required in a SubStatement",
            id=f"substatement-without-{key}",
        )
        for key in ("actor", "verb", "object")
    ],
    pytest.param(statement(object=substatement(score=1)), "object.score: is not a property of a SubStatement"),
    pytest.param(
        statement(object=substatement(actor={"mbox": "hana"})), "object.actor.mbox: must be a mailto IRI", id="actor"
    ),
    pytest.param(
        statement(object=substatement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})),
        "object.object: must be a StatementRef to the voided statement",
        id="substatement-voiding-an-activity",
    ),
    pytest.param(
        statement(object=substatement(timestamp="01/011/2015")), "object.timestamp: must be", id="sub-timestamp"
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("sent", "message"), REJECTED)
def test_an_object_breaking_a_rule_is_rejected_naming_the_property(sent, message, version):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version=version)

    assert message in rejected.value.message
