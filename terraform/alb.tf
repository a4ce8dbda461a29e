# Internal Application Load Balancer: reached only by the API Gateway VPC link, over
# TLS. It has no HTTP listener: its HTTPS listener sets X-Forwarded-Proto to https on
# every request it forwards (replacing whatever the client sent), which is what Django's
# SECURE_PROXY_SSL_HEADER trusts, so redirects to HTTPS and HSTS work as they should.
resource "aws_lb" "app" {
  #checkov:skip=CKV_AWS_91: every request reaches this internal load balancer through API Gateway, whose access log (and the app's own request log) records it; ALB access logs would need a second, SSE-S3-only bucket for the same lines.
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
  #checkov:skip=CKV_AWS_378: the hop from the load balancer to the instances stays inside the private subnets and is limited by security groups to the load balancer; TLS ends at the load balancer. The health checks speak plain HTTP to the instances, which the app exempts from its HTTPS redirect.
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

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06" # TLS 1.3 and 1.2, forward-secret ciphers only
  certificate_arn   = var.alb_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }

  tags = local.tags
}
