# The log groups of the app's containers, the HTTP API's access log and the Lambdas,
# made here so that their retention and encryption are set before anything writes.
resource "aws_cloudwatch_log_group" "main" {
  #checkov:skip=CKV_AWS_338: retention is a choice of the operator (log_retention_days, 30 days by default to bound cost); set it to 365 or more where a year of logs is required.
  for_each = local.log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.main.arn
  tags              = merge(local.tags, { Component = each.key })
}
