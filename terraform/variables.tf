# --- General -------------------------------------------------------------------

variable "region" {
  description = "AWS region of the whole stack (Bedrock must offer the model there)."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name; also the app's DYNAMODB_TABLE_PREFIX."
  type        = string
  default     = "langportal-"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix: 2 to 21 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Name of the environment (production, staging...), used in tags."
  type        = string
  default     = "production"
}

variable "deletion_protection" {
  description = "Protect the tables, the user pool and the load balancer from deletion."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the logs of the app, the API and the Lambdas."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "alarm_actions" {
  description = "ARNs (SNS topics...) notified when a Lambda's dead-letter queue holds messages; none by default."
  type        = list(string)
  default     = []
}

# --- Network -------------------------------------------------------------------

variable "vpc_id" {
  description = "VPC of the instances, the internal load balancer and the VPC link."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (two availability zones at least) with a route to AWS APIs (NAT gateway or VPC endpoints)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "An Application Load Balancer needs subnets in two availability zones at least."
  }
}

variable "alb_certificate_arn" {
  description = "ARN of the ACM certificate (public, issued, in this region) of the internal load balancer's HTTPS listener; it must name alb_server_name."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]+:certificate/[0-9a-f-]+$", var.alb_certificate_arn))
    error_message = "alb_certificate_arn must be the ARN of an ACM certificate."
  }
}

variable "alb_server_name" {
  description = "Host name on alb_certificate_arn (internal.langportal.example.com) that API Gateway checks the load balancer's certificate against and sends as SNI; it need not resolve in DNS."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.alb_server_name))
    error_message = "alb_server_name must be a lower-case DNS name."
  }
}

variable "app_port" {
  description = "Port the app's container listens on, on the instance."
  type        = number
  default     = 8000
}

# --- App -----------------------------------------------------------------------

variable "app_image" {
  description = "URI of the app image (the Dockerfile's app stage) in this stack's ECR repository, with an immutable tag."
  type        = string
}

variable "lambda_image" {
  description = "URI of the Lambda image (the Dockerfile's lambda stage) in this stack's ECR repository, with an immutable tag."
  type        = string
}

variable "secret_key_parameter" {
  description = "Name of the SSM SecureString parameter (default aws/ssm key) holding DJANGO_SECRET_KEY; created outside Terraform."
  type        = string
  default     = "/langportal/django-secret-key"
}

variable "allowed_hosts" {
  description = "Extra host names Django serves (custom domains); the API's and the load balancer's own names are always allowed."
  type        = list(string)
  default     = []
}

variable "csrf_trusted_origins" {
  description = "Extra origins trusted for the admin's forms (https://custom.domain); the API's own URL is always trusted."
  type        = list(string)
  default     = []
}

variable "hsts_seconds" {
  description = "DJANGO_HSTS_SECONDS: how long browsers keep to HTTPS for the API's host (and its subdomains) once told; a year by default. Start lower on a new custom domain."
  type        = number
  default     = 31536000
}

variable "cors_allowed_origins" {
  description = "Origins allowed to GET media from the bucket in a browser (https://app.example.com); none by default."
  type        = list(string)
  default     = []
}

variable "xapi_iri" {
  description = "XAPI_IRI: the xAPI store's own IRI, under which our activities and credentials' accounts are named; empty for the API's URL followed by /xapi. Set it to the custom domain's /xapi before the first statement is stored, and keep it."
  type        = string
  default     = ""
}

variable "xapi_cors_allowed_origins" {
  description = "XAPI_CORS_ALLOWED_ORIGINS: origins whose pages may call /xapi/ from a browser (an LMS, H5P); [\"*\"] for any, none by default."
  type        = list(string)
  default     = []
}

variable "ai_hint_providers" {
  description = "AI_HINT_PROVIDERS: hint providers tried in order."
  type        = string
  default     = "bedrock,offline"
}

variable "bedrock_model_id" {
  description = "AI_BEDROCK_MODEL_ID: the Bedrock foundation model the app may invoke."
  type        = string
  default     = "mistral.mistral-7b-instruct-v0:2"
}

# --- Compute -------------------------------------------------------------------

variable "instance_type" {
  description = "EC2 instance type of the app servers."
  type        = string
  default     = "t3.small"
}

variable "root_volume_size" {
  description = "Size in GiB of each instance's encrypted root volume."
  type        = number
  default     = 20
}

variable "asg_min" {
  description = "Fewest app instances."
  type        = number
  default     = 2
}

variable "asg_max" {
  description = "Most app instances."
  type        = number
  default     = 4
}

variable "asg_desired" {
  description = "App instances at creation; CPU target tracking adjusts it afterwards."
  type        = number
  default     = 2
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation the Auto Scaling group keeps its instances at."
  type        = number
  default     = 60
}

# --- API Gateway ---------------------------------------------------------------

variable "api_throttling_burst_limit" {
  description = "Default burst limit (requests) of the HTTP API's stage."
  type        = number
  default     = 200
}

variable "api_throttling_rate_limit" {
  description = "Default steady rate limit (requests per second) of the HTTP API's stage."
  type        = number
  default     = 100
}

# --- Storage -------------------------------------------------------------------

variable "media_bucket_name" {
  description = "Name of the media bucket; empty for <name_prefix>media-<account id>-<region>."
  type        = string
  default     = ""
}

variable "noncurrent_version_days" {
  description = "Days a replaced or deleted media object stays recoverable."
  type        = number
  default     = 7
}

variable "imports_expiration_days" {
  description = "Days an uploaded import document (imports/ prefix) is kept."
  type        = number
  default     = 7
}

variable "exports_expiration_days" {
  description = "Days an export's file (exports/ prefix) is kept."
  type        = number
  default     = 7
}

# --- Cognito -------------------------------------------------------------------

variable "self_sign_up" {
  description = "Let users sign themselves up; false: only administrators create users."
  type        = bool
  default     = false
}

variable "advanced_security_mode" {
  description = "Cognito threat protection: ENFORCED (refuse leaked passwords, challenge or block risky sign-ins), AUDIT (record only) or OFF. Anything but OFF puts the pool on the Plus feature plan, which bills every monthly active user (students too) at Cognito's highest per-user rate with no free allowance; OFF keeps Essentials."
  type        = string
  default     = "ENFORCED"

  validation {
    condition     = contains(["ENFORCED", "AUDIT", "OFF"], var.advanced_security_mode)
    error_message = "advanced_security_mode must be ENFORCED, AUDIT or OFF."
  }
}

variable "access_token_minutes" {
  description = "Validity of access and ID tokens, in minutes (5 to 1440)."
  type        = number
  default     = 60
}

variable "refresh_token_days" {
  description = "Validity of refresh tokens, in days (1 to 3650)."
  type        = number
  default     = 30
}

# --- Lambda --------------------------------------------------------------------

variable "media_lambda_concurrency" {
  description = "Reserved concurrency of the media Lambda (caps a burst of uploads); -1 for none, for accounts whose concurrency quota is too low to reserve any."
  type        = number
  default     = 5
}

variable "streaks_lambda_concurrency" {
  description = "Reserved concurrency of the daily streak Lambda (one run at a time); -1 for none."
  type        = number
  default     = 1
}

variable "jobs_lambda_concurrency" {
  description = "Reserved concurrency of the jobs Lambda: the most jobs running at once (2 or more; the queue's event source mapping keeps to it); -1 for none, and then the mapping still runs 2 at most."
  type        = number
  default     = 2

  validation {
    condition     = var.jobs_lambda_concurrency == -1 || (var.jobs_lambda_concurrency >= 2 && var.jobs_lambda_concurrency <= 1000)
    error_message = "jobs_lambda_concurrency must be -1 or 2 to 1000 (the range of an SQS event source mapping's maximum concurrency)."
  }
}

variable "jobs_lambda_memory" {
  description = "Memory of the jobs Lambda, in MiB (its CPU grows with it)."
  type        = number
  default     = 1024

  validation {
    condition     = var.jobs_lambda_memory >= 128 && var.jobs_lambda_memory <= 10240
    error_message = "jobs_lambda_memory must be 128 to 10240 MiB."
  }
}
