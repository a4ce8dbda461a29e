"""Agents and Groups: as actor, as object, as authority, as instructor and team."""

import pytest

from xapi.services.validation import StatementInvalid, statement_checked

from .factories import VERSIONS, agent, changed, group, statement, without

ACCOUNT = {"homePage": "http://www.example.com", "name": "1625378"}
SHA1 = "cd9b00a5611f94eaa7b1661edab976068e364975"
HANA = {"mbox": "mailto:hana@example.com"}
OAUTH_APP = {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}}


def _agent_without_mbox(**properties):
    return without(agent(**properties), "mbox")


ACCEPTED = [
    pytest.param(statement(actor=HANA), id="agent-without-objectType"),
    pytest.param(statement(actor=_agent_without_mbox(mbox_sha1sum=SHA1)), id="agent-by-mbox_sha1sum"),
    pytest.param(statement(actor=_agent_without_mbox(openid="http://openid.example.org/12345")), id="agent-by-openid"),
    pytest.param(statement(actor=_agent_without_mbox(account=ACCOUNT)), id="agent-by-account"),
    pytest.param(statement(actor=group()), id="anonymous-group"),
    pytest.param(statement(actor=group(mbox="mailto:3b@example.com")), id="identified-group-with-members"),
    pytest.param(statement(actor=without(group(account=ACCOUNT), "member")), id="identified-group-without-members"),
    pytest.param(statement(actor=group(openid="http://example.com/3b", member=[])), id="identified-group-no-members"),
    pytest.param(statement(object=agent()), id="agent-as-object"),
    pytest.param(statement(object=group()), id="group-as-object"),
    pytest.param(statement(authority=agent()), id="agent-as-authority"),
    pytest.param(statement(authority={"objectType": "Group", "member": [OAUTH_APP, HANA]}), id="oauth-authority"),
    pytest.param(statement(context={"instructor": group()}), id="group-as-instructor"),
    pytest.param(statement(context={"team": group(mbox="mailto:3b@example.com")}), id="identified-team"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sent", ACCEPTED)
def test_an_agent_or_group_the_standard_allows_is_accepted(sent, version):
    assert statement_checked(sent, version=version) == sent


REJECTED = [
    pytest.param(statement(actor="hana@example.com"), "actor: must be an Agent or Group", id="actor-a-string"),
    pytest.param(statement(actor=agent(objectType="agent")), 'actor.objectType: must be "Agent" or "Group"', id="case"),
    pytest.param(statement(actor=agent(objectType=1)), "actor.objectType: must be a string", id="objectType-number"),
    pytest.param(statement(actor=agent(name=1)), "actor.name: must be a string", id="name-number"),
    pytest.param(statement(actor=agent(role="x")), "actor.role: is not a property of an Agent", id="agent-extra"),
    pytest.param(statement(actor=agent(member=[HANA])), "actor.member: is not a property of an Agent", id="member"),
    pytest.param(statement(actor=_agent_without_mbox()), "actor: an Agent must have one of mbox", id="no-ifi"),
    pytest.param(
        statement(actor=agent(mbox_sha1sum=SHA1)), "actor: must have only one of mbox, mbox_sha1sum", id="two-ifis"
    ),
    pytest.param(statement(actor=agent(mbox="hana@example.com")), "actor.mbox: must be a mailto IRI", id="no-mailto"),
    pytest.param(statement(actor=agent(mbox="mailto:hana")), "actor.mbox: must be a mailto IRI", id="mbox-no-address"),
    pytest.param(statement(actor=agent(mbox="")), "actor.mbox: must be a mailto IRI", id="mbox-empty"),
    pytest.param(
        statement(actor=_agent_without_mbox(mbox_sha1sum=SHA1[:-1])),
        "actor.mbox_sha1sum: must be the hex SHA-1",
        id="sha1-short",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(mbox_sha1sum=1)), "actor.mbox_sha1sum: must be a string", id="sha1-number"
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(openid="openid.example.org/1")),
        "actor.openid: must be a URI",
        id="openid-no-scheme",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(openid="http://openid.example.org/花子")),
        "actor.openid: must be a URI",
        id="openid-not-ascii",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account="hana")), "actor.account: must be an Account", id="account-string"
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account={"name": "1"})),
        "actor.account.homePage: is required in an Account",
        id="account-no-homePage",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account={"homePage": "http://example.com"})),
        "actor.account.name: is required in an Account",
        id="account-no-name",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account={**ACCOUNT, "homePage": "urn:example:lms"})),
        "actor.account.homePage: must be an IRL",
        id="account-homePage-not-irl",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account={**ACCOUNT, "name": 1625378})),
        "actor.account.name: must be a string",
        id="account-name-number",
    ),
    pytest.param(
        statement(actor=_agent_without_mbox(account={**ACCOUNT, "id": "1"})),
        "actor.account.id: is not a property of an Account",
        id="account-extra",
    ),
    pytest.param(
        statement(actor=without(group(), "member")),
        "actor.member: is required in an anonymous Group",
        id="anonymous-group-without-members",
    ),
    pytest.param(statement(actor=group(member=[])), "actor.member: must not be empty", id="anonymous-group-empty"),
    pytest.param(statement(actor=group(member=HANA)), "actor.member: must be an array", id="member-not-array"),
    pytest.param(
        statement(actor=group(member=[group()])), 'actor.member[0].objectType: must be "Agent"', id="group-in-group"
    ),
    pytest.param(
        statement(actor=group(member=[{"name": "Ken"}])),
        "actor.member[0]: an Agent must have one of mbox",
        id="member-without-ifi",
    ),
    pytest.param(
        statement(actor=group(mbox="mailto:3b@example.com", openid="http://example.com/3b")),
        "actor: must have only one of",
        id="group-two-ifis",
    ),
    pytest.param(statement(actor=group(name=["3B"])), "actor.name: must be a string", id="group-name-array"),
    pytest.param(
        statement(object=without(agent(), "objectType")),
        "object.name: is not a property of an Activity",
        id="object-agent-without-objectType",
    ),
    pytest.param(
        statement(object=changed(group(), "objectType", "group")),
        "object.objectType: must be one of Activity, Agent, Group",
        id="object-group-wrong-case",
    ),
    pytest.param(
        statement(authority=group(mbox="mailto:oauth@example.com", member=[OAUTH_APP, HANA])),
        "authority: a Group as authority must be anonymous",
        id="authority-identified-group",
    ),
    pytest.param(
        statement(authority={"objectType": "Group", "member": [OAUTH_APP]}),
        "authority.member: a Group as authority must have exactly two Agents",
        id="authority-one-member",
    ),
    pytest.param(
        statement(authority={"objectType": "Group", "member": [OAUTH_APP, HANA, {"mbox": "mailto:k@example.com"}]}),
        "authority.member: a Group as authority must have exactly two Agents",
        id="authority-three-members",
    ),
    pytest.param(
        statement(authority={"objectType": "Group", "member": [HANA, {"mbox": "mailto:k@example.com"}]}),
        "authority.member: the OAuth application in an authority Group must be identified by account",
        id="authority-without-application",
    ),
    pytest.param(statement(authority={"objectType": "Agent"}), "authority: an Agent must have", id="authority-no-ifi"),
    pytest.param(
        statement(context={"instructor": "Sato"}), "context.instructor: must be an Agent or Group", id="instructor"
    ),
    pytest.param(statement(context={"team": agent()}), 'context.team.objectType: must be "Group"', id="team-agent"),
    pytest.param(
        statement(context={"team": without(group(), "objectType")}),
        "context.team.objectType: is required",
        id="team-without-objectType",
    ),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("sent", "message"), REJECTED)
def test_an_agent_or_group_breaking_a_rule_is_rejected_naming_the_property(sent, message, version):
    with pytest.raises(StatementInvalid) as rejected:
        statement_checked(sent, version=version)

    assert message in rejected.value.message
