# Least privilege: each role names exactly the resources it uses.

locals {
  dynamodb_item_actions = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
  ]

  # S3 uses the bucket's KMS key on behalf of whoever reads or writes an object.
  kms_via_s3 = "s3.${var.region}.amazonaws.com"
}

# --- App instances -----------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  name               = "${var.name_prefix}app"
  description        = "langportal app instances"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "app" {
  statement {
    sid       = "Tables"
    actions   = local.dynamodb_item_actions
    resources = flatten([for table in local.app_tables : [table.arn, "${table.arn}/index/*"]])
  }

  # The dry run of an erasure (the admin's, manage.py erase_student's) reads its plan.
  statement {
    sid       = "ErasureScans"
    actions   = ["dynamodb:Scan"]
    resources = [for table in local.erasure_scanned_tables : table.arn]
  }

  # The admin's list of xAPI credentials reads their few dozen items whole.
  statement {
    sid       = "CredentialScans"
    actions   = ["dynamodb:Scan"]
    resources = [aws_dynamodb_table.xapi_credentials.arn]
  }

  statement {
    sid       = "MediaObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.media.arn}/*"]
  }

  statement {
    sid       = "MediaBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid       = "MediaEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }

  # The app queues the jobs it starts (langportal.jobs.queue finds the queue by name).
  statement {
    sid       = "JobsQueue"
    actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    sid = "UserPool"
    actions = [
      "cognito-idp:ListUsers",
      "cognito-idp:ListUsersInGroup",
      "cognito-idp:AdminListGroupsForUser",
      "cognito-idp:AdminGetUser",
      "cognito-idp:AdminUserGlobalSignOut",
    ]
    resources = [aws_cognito_user_pool.main.arn]
  }

  statement {
    sid       = "HintModel"
    actions   = ["bedrock:InvokeModel"]
    resources = [local.bedrock_model_arn]
  }

  statement {
    sid       = "SecretKey"
    actions   = ["ssm:GetParameter"]
    resources = [local.secret_key_parameter_arn]
  }

  # AmazonSSMManagedInstanceCore (below) allows ssm:GetParameter* on every parameter;
  # Session Manager needs none of them, so the instances read the secret key only.
  statement {
    sid           = "NoOtherParameters"
    effect        = "Deny"
    actions       = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"]
    not_resources = [local.secret_key_parameter_arn]
  }

  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # GetAuthorizationToken has no resource-level permissions.
  }

  statement {
    sid = "ImagePull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.app.arn]
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.main["app"].arn}:*"]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# Session Manager instead of SSH: no key pair, no open port.
resource "aws_iam_role_policy_attachment" "app_ssm_core" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "app" {
  name = "${var.name_prefix}app"
  role = aws_iam_role.app.name
  tags = local.tags
}

# --- Lambdas -------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "media_lambda" {
  name               = "${var.name_prefix}process-media"
  description        = "langportal media Lambda"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

# The media function reads an upload, writes its thumbnail under words/, and rewrites
# the upload's word (one conditional put in a transaction: the word's groups and sort
# keys do not change, so no other table is touched). It signs nothing: no secret key.
data "aws_iam_policy_document" "media_lambda" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.main["media"].arn}:*"]
  }

  statement {
    sid       = "WordMedia"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.media.arn}/words/*"]
  }

  # Without ListBucket, S3 answers 403 instead of 404 for an upload that is gone, and
  # the function would fail (and retry) where it should leave the event alone.
  statement {
    sid       = "MediaBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid       = "MediaEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }

  statement {
    sid       = "Words"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.words.arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.media_dlq.arn]
  }
}

resource "aws_iam_role_policy" "media_lambda" {
  name   = "process-media"
  role   = aws_iam_role.media_lambda.id
  policy = data.aws_iam_policy_document.media_lambda.json
}

resource "aws_iam_role" "streaks_lambda" {
  name               = "${var.name_prefix}reset-streaks"
  description        = "langportal daily streak Lambda"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

# The streak function signs nothing either: no secret key.
data "aws_iam_policy_document" "streaks_lambda" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.main["streaks"].arn}:*"]
  }

  # Query the sparse index streak-expiry, then update each student whose streak broke.
  statement {
    sid       = "StreakExpiry"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.students.arn}/index/streak-expiry"]
  }

  statement {
    sid       = "Students"
    actions   = ["dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.students.arn]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.streaks_dlq.arn]
  }
}

resource "aws_iam_role_policy" "streaks_lambda" {
  name   = "reset-streaks"
  role   = aws_iam_role.streaks_lambda.id
  policy = data.aws_iam_policy_document.streaks_lambda.json
}

resource "aws_iam_role" "jobs_lambda" {
  name               = "${var.name_prefix}run-jobs"
  description        = "langportal jobs Lambda"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

# The jobs function takes its messages from the jobs queue and sends the next one when a
# run stops for time; reads an import's file under imports/ and removes it once imported;
# writes exports under exports/ (each page as a part, read back into one file, then
# deleted) and an erasure's plan under erasures/; and writes the job, its errors and what
# an import or an erasure writes (local.jobs_tables), scanning what an erasure must scan.
# The periodic function runs with this role too: the forwarder reads statements and
# their attachments, and moves its rules' cursors. Neither signs anything: no secret key.
data "aws_iam_policy_document" "jobs_lambda" {
  statement {
    sid     = "Logs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "${aws_cloudwatch_log_group.main["jobs"].arn}:*",
      "${aws_cloudwatch_log_group.main["periodic"].arn}:*",
    ]
  }

  # Receive, delete and read the attributes: the event source mapping, with the role's
  # rights. GetQueueUrl and SendMessage: the handler's next message.
  statement {
    sid = "JobsQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
    ]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    sid       = "Tables"
    actions   = local.dynamodb_item_actions
    resources = flatten([for table in local.jobs_tables : [table.arn, "${table.arn}/index/*"]])
  }

  statement {
    sid       = "ImportFiles"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.media.arn}/imports/*"]
  }

  # An erasure's plan, written by the job's first run and read back by every run, then
  # deleted once the student's data is erased.
  statement {
    sid       = "ErasureFiles"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.media.arn}/erasures/*"]
  }

  # An erasure removes the content of a student's large xAPI documents, kept in S3.
  statement {
    sid       = "ErasureXapiDocuments"
    actions   = ["s3:DeleteObject"]
    resources = ["${aws_s3_bucket.media.arn}/xapi/documents/*"]
  }

  statement {
    sid       = "ErasureScans"
    actions   = ["dynamodb:Scan"]
    resources = [for table in local.erasure_scanned_tables : table.arn]
  }

  statement {
    sid       = "ExportFiles"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${aws_s3_bucket.media.arn}/exports/*"]
  }

  # An Anki deck export carries the words' audio and images.
  statement {
    sid       = "ExportMedia"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.media.arn}/words/*"]
  }

  # A forwarded statement goes with the content of its attachments.
  statement {
    sid       = "ForwardedAttachments"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.media.arn}/xapi/attachments/*"]
  }

  # Without ListBucket, S3 answers 403 instead of 404 for an import file that is gone
  # (expired after imports_expiration_days, say), and the job's error would read as a
  # missing permission.
  statement {
    sid       = "MediaBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.media.arn]
  }

  statement {
    sid       = "MediaEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.main.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = [local.kms_via_s3]
    }
  }
}

resource "aws_iam_role_policy" "jobs_lambda" {
  name   = "run-jobs"
  role   = aws_iam_role.jobs_lambda.id
  policy = data.aws_iam_policy_document.jobs_lambda.json
}
