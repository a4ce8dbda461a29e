# One customer managed key for the data the stack keeps at rest outside DynamoDB: the
# media bucket and the log groups. Its use shows in CloudTrail and it can be disabled
# to cut access to every copy at once. The bucket uses an S3 Bucket Key, so S3 asks
# KMS for a data key rarely and the requests cost little.
resource "aws_kms_key" "main" {
  description             = "${var.name_prefix}: media bucket and CloudWatch log groups"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKeyThroughIAM"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsTheStacksLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action = [
          "kms:Encrypt*",
          "kms:Decrypt*",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:Describe*",
        ]
        Resource = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = [
              for name in values(local.log_groups) : "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${name}"
            ]
          }
        }
      },
    ]
  })

  tags = local.tags
}

resource "aws_kms_alias" "main" {
  name          = "alias/${var.name_prefix}data"
  target_key_id = aws_kms_key.main.key_id
}
