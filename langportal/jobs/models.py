"""The tables of jobs; access patterns in docs/data-model.md."""

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from langportal.storage.dynamo import BaseMeta, TableModel, table_name

LISTING = "jobs"  # the one partition of the listing index: jobs are few, newest first


class RecentJobsIndex(GlobalSecondaryIndex):
    """Every job, newest first (job ids are ULIDs)."""

    class Meta:
        index_name = "recent"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    job_id = UnicodeAttribute(range_key=True)


class JobModel(TableModel):
    """One import, export or erasure: what it is, who started it and how far it got."""

    class Meta(BaseMeta):
        table_name = table_name("jobs")

    job_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    actor = UnicodeAttribute()  # the username shown to people
    actor_id = UnicodeAttribute()  # the Cognito sub, the owner of the rows' Idempotency-Keys
    options = MapAttribute(default=dict)
    input_key = UnicodeAttribute(null=True)
    output_key = UnicodeAttribute(null=True)
    total = NumberAttribute(null=True)
    done = NumberAttribute(default=0)  # rows finished, in order: where a resumed run starts
    counts = MapAttribute(default=dict)  # outcome -> rows
    message = UnicodeAttribute(null=True)  # why it failed
    lease_owner = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    recent = RecentJobsIndex()


class JobErrorModel(TableModel):
    """One rejected row of a job, for its error report; a rerun writes the same item."""

    class Meta(BaseMeta):
        table_name = table_name("job-errors")

    job_id = UnicodeAttribute(hash_key=True)
    row = NumberAttribute(range_key=True)
    message = UnicodeAttribute()
    fields = UnicodeAttribute()  # the row as JSON, cut to REPORTED_ROW_CHARACTERS
