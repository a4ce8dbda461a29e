"""An xAPI Learning Record Store (xAPI 2.0.0 and 1.0.3) on our DynamoDB tables, served
under /xapi/: statements, documents, agents, activities and about, for any xAPI tool
with Basic credentials and for students' apps with their Cognito token."""
