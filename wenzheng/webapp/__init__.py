"""The Streamlit app's support code: roles, users, sign-in, cached data access, masking."""
