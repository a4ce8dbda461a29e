"""A statement's Context, xAPI 2.0's contextAgents and contextGroups included."""

import pytest

from xapi.services.validation import StatementInvalid, statement_checked

from .factories import STATEMENT_ID, VERSIONS, activity, agent, group, statement, substatement, without

REF = {"objectType": "StatementRef", "id": STATEMENT_ID}
PLAYER = "https://example.com/xapi/activity-types/personnel/player"


def _context(**context):
    return statement(context=context)


def _context_agent(**properties):
    return {"objectType": "contextAgent", "agent": agent(), "relevantTypes": [PLAYER], **properties}


def _context_group(**properties):
    return {"objectType": "contextGroup", "group": group(), "relevantTypes": [PLAYER], **properties}


ACCEPTED = [
    pytest.param(_context(), id="empty"),
    pytest.param(_context(registration="EC531277-B57B-4C15-8D91-D292C5B2B8F7"), id="registration-upper-case"),
    pytest.param(_context(language="tlh"), id="language"),
    pytest.param(_context(statement=REF), id="statement-ref"),
    pytest.param(
        _context(contextActivities={kind: [activity()] for kind in ("parent", "grouping", "category", "other")}),
        id="every-kind-of-context-activity",
    ),
    pytest.param(_context(contextActivities={"other": []}), id="empty-context-activities"),
    pytest.param(_context(revision="2", platform="langportal"), id="revision-and-platform"),
    pytest.param(
        statement(object={"id": "http://example.com/a"}, context={"revision": "2", "platform": "langportal"}),
        id="revision-and-platform-of-an-activity-without-objectType",
    ),
    pytest.param(
        _context(extensions={"http://example.com/a": None, "http://example.com/b": "", "http://example.com/c": {}}),
        id="extensions-null-empty-string-empty-object",
    ),
    pytest.param(_context(extensions={}), id="empty-extensions"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sent", ACCEPTED)
def test_a_context_the_standard_allows_is_accepted(sent, version):
    assert statement_checked(sent, version=version) == sent


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", ["parent", "grouping", "category", "other"])
def test_a_single_context_activity_is_stored_as_an_array_of_one(kind, version):
    checked = statement_checked(_context(contextActivities={kind: activity()}), version=version)

    assert checked["context"]["contextActivities"] == {kind: [activity()]}


def test_a_substatement_context_activity_is_stored_as_an_array_too():
    sent = statement(object=substatement(context={"contextActivities": {"parent": activity()}}))

    checked = statement_checked(sent, version="1.0.3")

    assert checked["object"]["context"]["contextActivities"] == {"parent": [activity()]}


ACCEPTED_IN_2_0 = [
    pytest.param(_context(contextAgents=[_context_agent()]), id="context-agent"),
    pytest.param(_context(contextAgents=[without(_context_agent(), "relevantTypes")]), id="agent-without-types"),
    pytest.param(_context(contextGroups=[_context_group(), _context_group()]), id="context-groups"),
    pytest.param(statement(object=substatement(context={"contextGroups": [_context_group()]})), id="in-substatement"),
]


@pytest.mark.parametrize("sent", ACCEPTED_IN_2_0)
def test_context_agents_and_groups_are_accepted_in_2_0(sent):
    assert statement_checked(sent, version="2.0.0") == sent


@pytest.mark.parametrize("sent", ACCEPTED_IN_2_0)
def test_context_agents_and_groups_are_unknown_to_1_0_3(sent):
    with pytest.raises(StatementInvalid, match=r"context\.context(Agents|Groups): is not a property of a Context"):
        statement_checked(sent, version="1.0.3")


REJECTED = [
    pytest.param(statement(context="meeting"), "context: must be a Context", id="not-an-object"),
    pytest.param(_context(mood="calm"), "context.mood: is not a property of a Context", id="unknown-property"),
    pytest.param(_context(registration="abc"), "context.registration: must be a UUID", id="registration-not-uuid"),
    pytest.param(_context(registration=12345), "context.registration: must be a string", id="registration-number"),
    pytest.param(_context(contextActivities="parent"), "context.contextActivities: must be a contextActivities object"),
    pytest.param(
        _context(contextActivities={"consequences": activity()}),
        "context.contextActivities.consequences: is not a property of a contextActivities object",
        id="unknown-kind",
    ),
    pytest.param(
        _context(contextActivities={"Parent": activity()}),
        "context.contextActivities.Parent: is not a property",
        id="kind-in-the-wrong-case",
    ),
    pytest.param(
        _context(contextActivities={"parent": "http://example.com/a"}),
        "context.contextActivities.parent: must be an Activity or an array of Activities",
        id="activity-as-string",
    ),
    pytest.param(
        _context(contextActivities={"other": [activity(), {"key": "should fail"}]}),
        "context.contextActivities.other[1].key: is not a property of an Activity",
        id="array-with-a-non-activity",
    ),
    pytest.param(
        _context(contextActivities={"category": activity(objectType="activity")}),
        'context.contextActivities.category.objectType: must be "Activity"',
        id="context-activity-objectType-case",
    ),
    pytest.param(
        _context(contextActivities={"grouping": agent()}),
        "context.contextActivities.grouping.name: is not a property of an Activity",
        id="agent-as-context-activity",
    ),
    pytest.param(_context(revision=12345), "context.revision: must be a string", id="revision-number"),
    pytest.param(_context(platform={"name": "x"}), "context.platform: must be a string", id="platform-object"),
    *[
        pytest.param(
            statement(object=thing, context={key: "x"}),
            f"context.{key}: is only allowed when the statement's object is an Activity",
            id=f"{key}-about-{name}",
        )
        for key in ("revision", "platform")
        for name, thing in {
            "an-agent": agent(),
            "a-group": group(),
            "a-statement": REF,
            "a-substatement": substatement(),
        }.items()
    ],
    pytest.param(
        statement(object=substatement(object=agent(), context={"revision": "2"})),
        "object.context.revision: is only allowed when the statement's object is an Activity",
        id="revision-in-a-substatement-about-an-agent",
    ),
    pytest.param(_context(language="something"), "context.language: must be an RFC 5646 language tag"),
    pytest.param(_context(language="en_US"), "context.language: must be an RFC 5646 language tag", id="underscore"),
    pytest.param(_context(language=12345), "context.language: must be a string", id="language-number"),
    pytest.param(
        _context(statement={**REF, "objectType": "Statement"}),
        'context.statement.objectType: must be "StatementRef"',
        id="statement-not-a-ref",
    ),
    pytest.param(
        _context(statement={"id": STATEMENT_ID}),
        "context.statement.objectType: is required in a StatementRef",
        id="statement-ref-without-objectType",
    ),
    pytest.param(_context(statement={**REF, "id": 12345}), "context.statement.id: must be a string", id="ref-id"),
    pytest.param(_context(extensions=["x"]), "context.extensions: must be an extensions object", id="extensions-list"),
    pytest.param(
        _context(extensions={"example.com/extension/wrong": 1234}),
        "context.extensions: key 'example.com/extension/wrong' must be an IRI",
        id="extension-key-without-scheme",
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("sent", "message"), REJECTED)
def test_a_context_breaking_a_rule_is_rejected_naming_the_property(sent, message, version):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version=version)

    assert message in rejected.value.message


REJECTED_IN_2_0 = [
    pytest.param(_context(contextAgents=_context_agent()), "context.contextAgents: must be an array", id="not-array"),
    pytest.param(
        _context(contextAgents=[_context_agent(objectType="Should fail")]),
        'context.contextAgents[0].objectType: must be "contextAgent"',
        id="agent-objectType",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(objectType="ContextAgent")]),
        'context.contextAgents[0].objectType: must be "contextAgent"',
        id="agent-objectType-case",
    ),
    pytest.param(
        _context(contextAgents=[without(_context_agent(), "objectType")]),
        "context.contextAgents[0].objectType: is required in a contextAgent",
        id="agent-without-objectType",
    ),
    pytest.param(
        _context(contextAgents=[without(_context_agent(), "agent")]),
        "context.contextAgents[0].agent: is required in a contextAgent",
        id="agent-missing",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(agent={"key": "Should fail"})]),
        "context.contextAgents[0].agent.key: is not a property of an Agent",
        id="agent-invalid",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(agent=group())]),
        'context.contextAgents[0].agent.objectType: must be "Agent"',
        id="agent-is-a-group",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(relevantTypes=[])]),
        "context.contextAgents[0].relevantTypes: must not be empty",
        id="agent-relevant-types-empty",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(relevantTypes=["abc"])]),
        "context.contextAgents[0].relevantTypes[0]: must be an IRI",
        id="agent-relevant-type-not-iri",
    ),
    pytest.param(
        _context(contextAgents=[_context_agent(member=[agent()])]),
        "context.contextAgents[0].member: is not a property of a contextAgent",
        id="agent-extra",
    ),
    pytest.param(
        _context(contextGroups=[_context_group(objectType="contextAgent")]),
        'context.contextGroups[0].objectType: must be "contextGroup"',
        id="group-objectType",
    ),
    pytest.param(
        _context(contextGroups=[_context_group(group={"key": "Should fail"})]),
        "context.contextGroups[0].group.key: is not a property of a Group",
        id="group-invalid",
    ),
    pytest.param(
        _context(contextGroups=[_context_group(group=agent())]),
        'context.contextGroups[0].group.objectType: must be "Group"',
        id="group-is-an-agent",
    ),
    pytest.param(
        _context(contextGroups=[_context_group(relevantTypes=[])]),
        "context.contextGroups[0].relevantTypes: must not be empty",
        id="group-relevant-types-empty",
    ),
    pytest.param(
        _context(contextGroups=[_context_group(relevantTypes="https://example.com/t")]),
        "context.contextGroups[0].relevantTypes: must be an array",
        id="group-relevant-types-string",
    ),
]


@pytest.mark.parametrize(("sent", "message"), REJECTED_IN_2_0)
def test_context_agents_and_groups_breaking_a_rule_are_rejected(sent, message):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version="2.0.0")

    assert message in rejected.value.message
