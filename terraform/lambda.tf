# Four functions from the Lambda image (the app's code): media processing, on S3's
# notification, the daily reset of broken streaks, on an EventBridge schedule, the jobs
# (imports, exports, erasures), from the jobs queue, and the periodic tasks (forwarding
# xAPI statements to other stores), every minute.
#
# The first two are invoked asynchronously: Lambda retries a failed event twice, then
# sends it to the function's dead-letter queue, where it waits 14 days to be inspected
# and replayed (both handlers are idempotent). The jobs function reads its queue through
# an event source mapping, and a message it fails on too often goes to the queue's own
# dead-letter queue. An alarm fires when any of these queues holds a message.
#
# Reserved concurrency caps the media function, so that a bulk upload cannot take the
# account's concurrency or flood DynamoDB, runs the streak job once at a time, and caps
# the jobs running at once.
#
# None runs in the VPC: they use only AWS APIs (DynamoDB, S3, SQS) over TLS with IAM,
# and a VPC would add ENI permissions and NAT or endpoint costs for nothing.

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

# --- Jobs ----------------------------------------------------------------------------
#
# Each message of the jobs queue, {"job_id": ...}, asks for a run of a job
# (langportal.jobs): the app sends one when a job starts, and a run that stops for time,
# 30 s before its invocation ends, sends the next itself. A job that another run holds
# (its lease lasts 2 minutes, renewed at every save) is reported in batchItemFailures, so
# SQS delivers that message again once its visibility timeout is over.
#
# Visibility timeout: SQS must hide a message for the function's whole timeout (AWS
# refuses the mapping otherwise), so 960 s: a run's 900 s and a minute more. AWS advises
# 6 times the timeout (5400 s) so that a message taken while the function is throttled
# is not retried too soon; here the mapping's maximum concurrency stays within the
# function's reserved concurrency, so the mapping is not throttled, and 90 minutes would
# only delay the messages that do come back: a job held by another run, and a run that
# died (its lease runs out after 2 minutes, its message after the visibility timeout).
#
# Ten receives, then the dead-letter queue: a message whose job another run holds is
# received again every 16 minutes, so a small count would send a duplicate message of a
# long job there; ten lets it wait over two and a half hours. A message there names a
# job to look at: if it is unfinished, `job_queue_again` (langportal.jobs.services) sends
# it again.
#
# SSE-SQS, like the other queues: a message holds a job's id and nothing else, and the
# stack's KMS key would need grants for SQS to both roles that use the queue.
resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name_prefix}jobs"
  visibility_timeout_seconds = 960
  message_retention_seconds  = 345600 # 4 days; the dead-letter queue keeps its messages longer
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn
    maxReceiveCount     = 10
  })

  tags = local.tags
}

# A message's age counts from its first enqueue, in this queue as in the jobs queue: 14
# days in all.
resource "aws_sqs_queue" "jobs_dlq" {
  name                      = "${var.name_prefix}jobs-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = local.tags
}

# Only the jobs queue may send its failures here (and redrive them back from here).
resource "aws_sqs_queue_redrive_allow_policy" "jobs_dlq" {
  queue_url = aws_sqs_queue.jobs_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.jobs.arn]
  })
}

resource "aws_lambda_function" "run_jobs" {
  #checkov:skip=CKV_AWS_117: talks only to AWS APIs (DynamoDB, S3, SQS) over TLS with IAM; no VPC resource to reach.
  #checkov:skip=CKV_AWS_272: Lambda code signing covers .zip packages only; this image comes from an ECR repository with immutable tags and scans on push.
  #checkov:skip=CKV_AWS_173: the environment holds no secret (a table prefix, a bucket name, a queue name); Lambda encrypts it at rest with its service key.
  #checkov:skip=CKV_AWS_50: the app has no X-Ray instrumentation; its logs and Lambda's metrics are the observability, and active tracing would need xray:Put* on * in the role.
  #checkov:skip=CKV_AWS_116: invoked synchronously by the SQS event source mapping, for which Lambda never uses a function's dead-letter queue; the jobs queue's redrive policy sends failed messages to its dead-letter queue.
  function_name = local.jobs_function_name
  description   = "Runs the jobs (imports, exports, erasures) the jobs queue names"
  role          = aws_iam_role.jobs_lambda.arn
  package_type  = "Image"
  image_uri     = var.lambda_image
  architectures = ["x86_64"]
  timeout       = 900
  memory_size   = var.jobs_lambda_memory

  reserved_concurrent_executions = var.jobs_lambda_concurrency

  image_config {
    command = ["langportal.jobs.lambdas.run_jobs"]
  }

  environment {
    variables = local.jobs_lambda_environment
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.main["jobs"],
    aws_iam_role_policy.jobs_lambda,
  ]
}

# One message per invocation: a job may use the invocation's whole time. The maximum
# concurrency keeps the mapping within the reserved concurrency, so that it is never
# throttled (a throttled message counts as received); 2, the least it takes, when none
# is reserved.
resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn        = aws_sqs_queue.jobs.arn
  function_name           = aws_lambda_function.run_jobs.arn
  batch_size              = 1
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = max(2, var.jobs_lambda_concurrency)
  }

  tags = local.tags

  # Lambda checks at creation that the role may read the queue.
  depends_on = [aws_iam_role_policy.jobs_lambda]
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = {
    process-media = aws_sqs_queue.media_dlq.name
    reset-streaks = aws_sqs_queue.streaks_dlq.name
    run-jobs      = aws_sqs_queue.jobs_dlq.name
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

# --- Periodic tasks --------------------------------------------------------------------
#
# Every minute EventBridge invokes the periodic function, which runs each task the apps
# registered (langportal.jobs.periodic) once, within its time: today the xAPI forwarder,
# which delivers the statements stored since its last run to the stores its rules name.
# It runs with the jobs function's role (local.jobs_tables). A failed or late run is
# neither retried nor kept: the next minute's goes on from where the last one stopped,
# and a rule's failures are shown on its admin page. One run at a time: a second, while a
# long one is still going, would only send the same batches again.
resource "aws_lambda_function" "run_periodic" {
  #checkov:skip=CKV_AWS_117: talks only to AWS APIs (DynamoDB, S3) and to the HTTPS endpoints of other learning record stores; no VPC resource to reach.
  #checkov:skip=CKV_AWS_272: Lambda code signing covers .zip packages only; this image comes from an ECR repository with immutable tags and scans on push.
  #checkov:skip=CKV_AWS_173: the environment holds no secret (a table prefix, a bucket name); Lambda encrypts it at rest with its service key.
  #checkov:skip=CKV_AWS_50: the app has no X-Ray instrumentation; its logs and Lambda's metrics are the observability, and active tracing would need xray:Put* on * in the role.
  #checkov:skip=CKV_AWS_116: a scheduled tick has nothing to replay: the next minute's run does what a failed one did not.
  function_name = local.periodic_function_name
  description   = "Every minute: the periodic tasks (forwarding xAPI statements)"
  role          = aws_iam_role.jobs_lambda.arn
  package_type  = "Image"
  image_uri     = var.lambda_image
  architectures = ["x86_64"]
  timeout       = 60
  memory_size   = 512

  reserved_concurrent_executions = 1

  image_config {
    command = ["langportal.jobs.lambdas.run_periodic"]
  }

  environment {
    variables = local.periodic_lambda_environment
  }

  tags = local.tags

  depends_on = [
    aws_cloudwatch_log_group.main["periodic"],
    aws_iam_role_policy.jobs_lambda,
  ]
}

resource "aws_lambda_function_event_invoke_config" "run_periodic" {
  function_name                = aws_lambda_function.run_periodic.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}

resource "aws_cloudwatch_event_rule" "run_periodic" {
  name                = "${var.name_prefix}run-periodic"
  description         = "Every minute: run the periodic tasks"
  schedule_expression = "rate(1 minute)"
  tags                = local.tags
}

resource "aws_cloudwatch_event_target" "run_periodic" {
  rule = aws_cloudwatch_event_rule.run_periodic.name
  arn  = aws_lambda_function.run_periodic.arn
}

resource "aws_lambda_permission" "periodic_from_events" {
  statement_id  = "AllowMinuteSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.run_periodic.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.run_periodic.arn
}
