"""The xAPI store's periodic task (langportal.jobs.periodic): forwarding statements to
other stores. It registers when imported, which the app's `ready` does."""

from langportal.jobs import periodic
from xapi.services import forwarder

periodic.register("xapi_forwarding", forwarder.forwarding_run)
