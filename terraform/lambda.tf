# Two functions from the Lambda image (the app's code): media processing, on S3's
# notification, and the daily reset of broken streaks, on an EventBridge schedule.
#
# Both are invoked asynchronously: Lambda retries a failed event twice, then sends it to
# the function's dead-letter queue, where it waits 14 days to be inspected and replayed
# (both handlers are idempotent). An alarm fires when a queue holds a message.
#
# Reserved concurrency caps the media function, so that a bulk upload cannot take the
# account's concurrency or flood DynamoDB, and runs the streak job once at a time.
#
# Neither runs in the VPC: they use only AWS APIs (DynamoDB, S3) over TLS with IAM, and
# a VPC would add ENI permissions and NAT or endpoint costs for nothing.

resource "aws_sqs_queue" "media_dlq" {
  name                      = "${var.name_prefix}process-media-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = local.tags
}

resource "aws_sqs_queue" "streaks_dlq" {
  name                      = "${var.name_prefix}reset-streaks-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = local.tags
}

resource "aws_lambda_function" "process_media" {
  #checkov:skip=CKV_AWS_117: talks only to AWS APIs (S3, DynamoDB) over TLS with IAM; no VPC resource to reach.
  #checkov:skip=CKV_AWS_272: Lambda code signing covers .zip packages only; this image comes from an ECR repository with immutable tags and scans on push.
  #checkov:skip=CKV_AWS_173: the environment holds no secret (a table prefix, a bucket name); Lambda encrypts it at rest with its service key.
  #checkov:skip=CKV_AWS_50: the app has no X-Ray instrumentation; its logs and Lambda's metrics are the observability, and active tracing would need xray:Put* on * in the role.
  function_name = local.media_function_name
  description   = "Reads durations and sizes of new media and writes thumbnails"
  role          = aws_iam_role.media_lambda.arn
  package_type  = "Image"
  image_uri     = var.lambda_image
  architectures = ["x86_64"]
  timeout       = 60
  memory_size   = 1024

  reserved_concurrent_executions = var.media_lambda_concurrency

  image_config {
    command = ["vocabulary.lambdas.process_media"]
  }

  environment {
    variables = local.media_lambda_environment
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.media_dlq.arn
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.main["media"],
    aws_iam_role_policy.media_lambda,
  ]
}

resource "aws_lambda_function" "reset_streaks" {
  #checkov:skip=CKV_AWS_117: talks only to DynamoDB over TLS with IAM; no VPC resource to reach.
  #checkov:skip=CKV_AWS_272: Lambda code signing covers .zip packages only; this image comes from an ECR repository with immutable tags and scans on push.
  #checkov:skip=CKV_AWS_173: the environment holds no secret (a table prefix, a bucket name); Lambda encrypts it at rest with its service key.
  #checkov:skip=CKV_AWS_50: the app has no X-Ray instrumentation; its logs and Lambda's metrics are the observability, and active tracing would need xray:Put* on * in the role.
  function_name = local.streaks_function_name
  description   = "Daily: stores 0 for the streaks that broke"
  role          = aws_iam_role.streaks_lambda.arn
  package_type  = "Image"
  image_uri     = var.lambda_image
  architectures = ["x86_64"]
  timeout       = 300
  memory_size   = 512

  reserved_concurrent_executions = var.streaks_lambda_concurrency

  image_config {
    command = ["lrs.lambdas.reset_streaks"]
  }

  environment {
    variables = local.streaks_lambda_environment
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.streaks_dlq.arn
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.main["streaks"],
    aws_iam_role_policy.streaks_lambda,
  ]
}

# S3 may announce an upload before the upload has pointed its word at the file: the
# handler then fails (MediaPending), and these retries, a minute or two later, find it.
resource "aws_lambda_function_event_invoke_config" "process_media" {
  function_name                = aws_lambda_function.process_media.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600
}

resource "aws_lambda_function_event_invoke_config" "reset_streaks" {
  function_name                = aws_lambda_function.reset_streaks.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600
}

resource "aws_lambda_permission" "media_from_s3" {
  statement_id   = "AllowMediaBucketNotifications"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.process_media.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.media.arn
  source_account = local.account_id
}

resource "aws_cloudwatch_event_rule" "reset_streaks" {
  name                = "${var.name_prefix}reset-streaks"
  description         = "Daily at 00:15 UTC: reset the streaks that broke"
  schedule_expression = "cron(15 0 * * ? *)"
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "reset_streaks" {
  rule = aws_cloudwatch_event_rule.reset_streaks.name
  arn  = aws_lambda_function.reset_streaks.arn
}

resource "aws_lambda_permission" "streaks_from_events" {
  statement_id  = "AllowDailySchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reset_streaks.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reset_streaks.arn
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = {
    process-media = aws_sqs_queue.media_dlq.name
    reset-streaks = aws_sqs_queue.streaks_dlq.name
  }

  alarm_name          = "${var.name_prefix}${each.key}-failed"
  alarm_description   = "Events the ${each.key} Lambda failed to handle wait in ${each.value}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}
