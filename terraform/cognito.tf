# Users: students, teachers and admins (Cognito groups). The app checks the tokens
# itself and reads users and groups for the admin.
#
# Cognito cannot require MFA for some groups only: the pool offers TOTP (an
# authenticator app) to everyone, and the admin's sign-in refuses teachers and admins
# until they use it. Threat protection (advanced security) watches every sign-in:
# compromised passwords are refused and risky sign-ins challenged or blocked (below);
# Cognito also locks a user out, for longer each time, after repeated wrong passwords.
resource "aws_cognito_user_pool" "main" {
  name                = "${var.name_prefix}users"
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  mfa_configuration   = "OPTIONAL"
  # Threat protection needs the Plus feature plan; without it, Essentials.
  user_pool_tier = var.advanced_security_mode == "OFF" ? "ESSENTIALS" : "PLUS"

  software_token_mfa_configuration {
    enabled = true
  }

  user_pool_add_ons {
    advanced_security_mode = var.advanced_security_mode
  }

  auto_verified_attributes = ["email"]

  username_configuration {
    case_sensitive = false
  }

  password_policy {
    minimum_length                   = 12
    require_uppercase                = true
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 7
  }

  admin_create_user_config {
    allow_admin_create_user_only = !var.self_sign_up
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  tags = local.tags
}

# A public client (no secret): the admin signs in with USER_PASSWORD_AUTH, other
# clients may use SRP; both get refresh tokens.
resource "aws_cognito_user_pool_client" "app" {
  name         = "${var.name_prefix}app"
  user_pool_id = aws_cognito_user_pool.main.id

  generate_secret = false
  explicit_auth_flows = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]

  access_token_validity  = var.access_token_minutes
  id_token_validity      = var.access_token_minutes
  refresh_token_validity = var.refresh_token_days
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  auth_session_validity         = 3
  enable_token_revocation       = true
  prevent_user_existence_errors = "ENABLED"
}

# What threat protection does (in ENFORCED mode; AUDIT only records its verdicts): a
# password found in a public leak is refused at sign-in, sign-up and password change;
# a medium-risk sign-in must pass MFA where the user has it, a high-risk one must pass
# MFA and is blocked for users without it. No e-mail is sent (no SES identity needed).
resource "aws_cognito_risk_configuration" "main" {
  count        = var.advanced_security_mode == "OFF" ? 0 : 1
  user_pool_id = aws_cognito_user_pool.main.id

  compromised_credentials_risk_configuration {
    actions {
      event_action = "BLOCK"
    }
  }

  account_takeover_risk_configuration {
    actions {
      low_action {
        event_action = "NO_ACTION"
        notify       = false
      }
      medium_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = false
      }
      high_action {
        event_action = "MFA_REQUIRED"
        notify       = false
      }
    }
  }
}

resource "aws_cognito_user_group" "main" {
  for_each = {
    admins   = { precedence = 1, description = "Administrators: superusers of the admin" }
    teachers = { precedence = 2, description = "Teachers: edit the vocabulary in the admin" }
    students = { precedence = 3, description = "Students: study through the API" }
  }

  user_pool_id = aws_cognito_user_pool.main.id
  name         = each.key
  description  = each.value.description
  precedence   = each.value.precedence
}
