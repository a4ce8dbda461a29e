data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  tags = {
    Project     = "langportal"
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  media_bucket = coalesce(var.media_bucket_name, "${var.name_prefix}media-${local.account_id}-${var.region}")

  media_function_name    = "${var.name_prefix}process-media"
  streaks_function_name  = "${var.name_prefix}reset-streaks"
  jobs_function_name     = "${var.name_prefix}run-jobs"
  periodic_function_name = "${var.name_prefix}run-periodic"

  # Every log group of the stack; the KMS key lets CloudWatch Logs use it for these only.
  log_groups = {
    app      = "/${var.name_prefix}app/containers"
    api      = "/aws/apigateway/${var.name_prefix}api"
    media    = "/aws/lambda/${local.media_function_name}"
    streaks  = "/aws/lambda/${local.streaks_function_name}"
    jobs     = "/aws/lambda/${local.jobs_function_name}"
    periodic = "/aws/lambda/${local.periodic_function_name}"
  }

  secret_key_parameter_arn = "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${trimprefix(var.secret_key_parameter, "/")}"
  bedrock_model_arn        = "arn:${local.partition}:bedrock:${var.region}::foundation-model/${var.bedrock_model_id}"

  # The tables of terraform/dynamodb.tf.json (generated from the models).
  app_tables = [
    aws_dynamodb_table.admin_sessions,
    aws_dynamodb_table.audit,
    aws_dynamodb_table.groups,
    aws_dynamodb_table.hint_cache,
    aws_dynamodb_table.idempotency_keys,
    aws_dynamodb_table.job_errors,
    aws_dynamodb_table.jobs,
    aws_dynamodb_table.order_index,
    aws_dynamodb_table.rate_counters,
    aws_dynamodb_table.reviews,
    aws_dynamodb_table.sequences,
    aws_dynamodb_table.stats,
    aws_dynamodb_table.students,
    aws_dynamodb_table.study_sessions,
    aws_dynamodb_table.word_stats,
    aws_dynamodb_table.words,
    aws_dynamodb_table.xapi_activities,
    aws_dynamodb_table.xapi_credentials,
    aws_dynamodb_table.xapi_documents,
    aws_dynamodb_table.xapi_forwarding,
    aws_dynamodb_table.xapi_statements,
  ]

  # The tables a run of a job uses: the jobs' own, those an import writes through the
  # vocabulary's services (words and groups, their order index, the id sequences, the
  # audit, the idempotency keys), and those an erasure empties of one student (the study
  # records and the counters their reviews fed, the xAPI statements and documents naming
  # them, the idempotency keys, the rate counters, the audit); and those of the periodic
  # tasks, which run with the same role: the forwarding rules, and the statements they
  # forward. A new kind of job, or periodic task, adds the tables it needs.
  jobs_tables = [
    aws_dynamodb_table.audit,
    aws_dynamodb_table.groups,
    aws_dynamodb_table.idempotency_keys,
    aws_dynamodb_table.job_errors,
    aws_dynamodb_table.jobs,
    aws_dynamodb_table.order_index,
    aws_dynamodb_table.rate_counters,
    aws_dynamodb_table.reviews,
    aws_dynamodb_table.sequences,
    aws_dynamodb_table.stats,
    aws_dynamodb_table.students,
    aws_dynamodb_table.study_sessions,
    aws_dynamodb_table.word_stats,
    aws_dynamodb_table.words,
    aws_dynamodb_table.xapi_documents,
    aws_dynamodb_table.xapi_forwarding,
    aws_dynamodb_table.xapi_statements,
  ]

  # The tables an erasure's plan scans for what names a user (their keys are no key of
  # ours): read by the admin's dry run and by the jobs Lambda.
  erasure_scanned_tables = [
    aws_dynamodb_table.audit,
    aws_dynamodb_table.idempotency_keys,
    aws_dynamodb_table.rate_counters,
  ]

  api_host = replace(aws_apigatewayv2_api.main.api_endpoint, "https://", "")

  # What the app reads from its environment (the secret key aside).
  app_environment = {
    AWS_REGION                  = var.region
    DJANGO_ALLOWED_HOSTS        = join(",", distinct(concat([local.api_host, aws_lb.app.dns_name, var.alb_server_name], var.allowed_hosts)))
    DJANGO_CSRF_TRUSTED_ORIGINS = join(",", distinct(concat([aws_apigatewayv2_api.main.api_endpoint], var.csrf_trusted_origins)))
    DJANGO_SECURE_COOKIES       = "true"
    DJANGO_SSL_REDIRECT         = "true"
    DJANGO_HSTS_SECONDS         = tostring(var.hsts_seconds)
    DYNAMODB_TABLE_PREFIX       = var.name_prefix
    MEDIA_BUCKET                = aws_s3_bucket.media.id
    JOBS_QUEUE                  = aws_sqs_queue.jobs.name
    COGNITO_USER_POOL_ID        = aws_cognito_user_pool.main.id
    COGNITO_APP_CLIENT_IDS      = aws_cognito_user_pool_client.app.id
    XAPI_IRI                    = coalesce(var.xapi_iri, "${aws_apigatewayv2_api.main.api_endpoint}/xapi")
    XAPI_CORS_ALLOWED_ORIGINS   = join(",", var.xapi_cors_allowed_origins)
    AI_HINT_PROVIDERS           = var.ai_hint_providers
    AI_BEDROCK_MODEL_ID         = var.bedrock_model_id
    MEDIA_PROCESSING            = "lambda"
    PORT                        = tostring(var.app_port)
    # API Gateway writes the client's address to X-Forwarded-For, the load balancer its own.
    TRUSTED_PROXY_HOPS = "2"
  }

  # What each Lambda reads, and nothing more: none signs anything, so none gets the
  # secret key (or its parameter's name); AWS_REGION is set by Lambda.
  media_lambda_environment = {
    DYNAMODB_TABLE_PREFIX = var.name_prefix
    MEDIA_BUCKET          = aws_s3_bucket.media.id
  }
  streaks_lambda_environment = {
    DYNAMODB_TABLE_PREFIX = var.name_prefix
  }
  jobs_lambda_environment = {
    DYNAMODB_TABLE_PREFIX = var.name_prefix
    MEDIA_BUCKET          = aws_s3_bucket.media.id
    JOBS_QUEUE            = aws_sqs_queue.jobs.name
  }
  # The forwarder reads statements (DynamoDB) and their attachments (S3).
  periodic_lambda_environment = {
    DYNAMODB_TABLE_PREFIX = var.name_prefix
    MEDIA_BUCKET          = aws_s3_bucket.media.id
  }
}
