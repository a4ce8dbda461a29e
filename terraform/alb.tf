# Internal Application Load Balancer: reached only by the API Gateway VPC link.
resource "aws_lb" "app" {
  #checkov:skip=CKV_AWS_91: every request reaches this internal load balancer through API Gateway, whose access log (and the app's own request log) records it; ALB access logs would need a second, SSE-S3-only bucket for the same lines.
  #checkov:skip=CKV2_AWS_20: internal load balancer behind API Gateway, which serves HTTPS only; no client ever speaks HTTP to it, so there is nothing to redirect.
  name                       = "${var.name_prefix}alb"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.private_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60
  tags                       = local.tags
}

resource "aws_lb_target_group" "app" {
  #checkov:skip=CKV_AWS_378: the hop from the load balancer to the instances stays inside the private subnets and is limited by security groups to the load balancer; TLS ends at API Gateway.
  name                 = "${var.name_prefix}app"
  port                 = var.app_port
  protocol             = "HTTP"
  target_type          = "instance"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = "/healthz"
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = local.tags
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2: internal listener reached only from the VPC link's security group; clients use HTTPS to API Gateway, which ends TLS. HTTPS here would need a certificate for a private name.
  #checkov:skip=CKV_AWS_103: no TLS on this internal listener (see CKV_AWS_2); TLS 1.2+ is enforced by API Gateway.
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  tags = local.tags
}
