output "api_url" {
  description = "Public HTTPS URL of the API and the admin (API Gateway)."
  value       = aws_apigatewayv2_api.main.api_endpoint
}

output "alb_dns_name" {
  description = "DNS name of the internal load balancer (reachable from the VPC link only)."
  value       = aws_lb.app.dns_name
}

output "ecr_repository_url" {
  description = "Repository to push the app and Lambda images to."
  value       = aws_ecr_repository.app.repository_url
}

output "media_bucket" {
  description = "Name of the media bucket (MEDIA_BUCKET)."
  value       = aws_s3_bucket.media.id
}

output "user_pool_id" {
  description = "Cognito user pool id (COGNITO_USER_POOL_ID)."
  value       = aws_cognito_user_pool.main.id
}

output "app_client_id" {
  description = "Cognito app client id (COGNITO_APP_CLIENT_IDS)."
  value       = aws_cognito_user_pool_client.app.id
}

output "dynamodb_table_prefix" {
  description = "Prefix of the DynamoDB table names (DYNAMODB_TABLE_PREFIX)."
  value       = var.name_prefix
}

output "region" {
  description = "Region of the stack (AWS_REGION)."
  value       = var.region
}

output "secret_key_parameter" {
  description = "SSM parameter holding DJANGO_SECRET_KEY."
  value       = var.secret_key_parameter
}

output "app_environment" {
  description = "The app's environment on the instances, DJANGO_SECRET_KEY aside (read it from the SSM parameter)."
  value       = local.app_environment
}

output "autoscaling_group_name" {
  description = "Auto Scaling group of the app instances (to find one for a Session Manager shell)."
  value       = aws_autoscaling_group.app.name
}

output "lambda_functions" {
  description = "Names of the media, streak, jobs and periodic Lambdas."
  value = {
    process_media = aws_lambda_function.process_media.function_name
    reset_streaks = aws_lambda_function.reset_streaks.function_name
    run_jobs      = aws_lambda_function.run_jobs.function_name
    run_periodic  = aws_lambda_function.run_periodic.function_name
  }
}

output "jobs_queue" {
  description = "Name of the jobs queue (JOBS_QUEUE)."
  value       = aws_sqs_queue.jobs.name
}

output "jobs_queue_url" {
  description = "URL of the jobs queue."
  value       = aws_sqs_queue.jobs.url
}

output "jobs_dead_letter_queue_url" {
  description = "URL of the jobs queue's dead-letter queue (messages received ten times without their job finishing)."
  value       = aws_sqs_queue.jobs_dlq.url
}
