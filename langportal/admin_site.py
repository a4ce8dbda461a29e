"""The admin site: Django's, signing teachers in with Cognito, with our own pages added."""

from django.contrib import admin

from accounts.forms import CognitoLoginForm


class AdminSite(admin.AdminSite):
    site_header = "langportal"
    site_title = "langportal admin"
    index_title = "Vocabulary and study records"
    login_form = CognitoLoginForm
