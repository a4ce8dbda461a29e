# The VPC and its private subnets exist already; traffic flows
# API Gateway VPC link -> internal load balancer (HTTPS, 443) -> instances (app port).

resource "aws_security_group" "vpc_link" {
  name        = "${var.name_prefix}vpc-link"
  description = "API Gateway VPC link: reaches the internal load balancer only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name_prefix}vpc-link" })
}

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_alb" {
  security_group_id            = aws_security_group.vpc_link.id
  description                  = "HTTPS to the internal load balancer"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.alb.id
  tags                         = local.tags
}

resource "aws_security_group" "alb" {
  name        = "${var.name_prefix}alb"
  description = "Internal load balancer: HTTPS from the VPC link only"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name_prefix}alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_vpc_link" {
  #checkov:skip=CKV_AWS_260: false positive: the source is the VPC link's security group (referenced_security_group_id), not 0.0.0.0/0; the check reads only CIDR fields on this resource type.
  security_group_id            = aws_security_group.alb.id
  description                  = "HTTPS from the API Gateway VPC link"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpc_link.id
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the app instances"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.app.id
  tags                         = local.tags
}

resource "aws_security_group" "app" {
  name        = "${var.name_prefix}app"
  description = "App instances: the app port from the load balancer only, HTTPS out"
  vpc_id      = var.vpc_id
  tags        = merge(local.tags, { Name = "${var.name_prefix}app" })
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "App port from the internal load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.alb.id
  tags                         = local.tags
}

# AWS APIs (ECR, DynamoDB, S3, Cognito, Bedrock, SSM, CloudWatch Logs) and the
# Amazon Linux package repositories, through the subnets' NAT gateway or endpoints.
resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs and package repositories"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.tags
}
