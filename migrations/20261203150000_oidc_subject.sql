-- Sign in with the organisation's OpenID provider (issue 20). A user is linked to the
-- provider's subject (`sub`, with the issuer that issued it: a subject is unique only per
-- issuer) at their first login through a verified e-mail address; from then on the subject
-- decides who logs in, so an address changed at the provider does not matter. Both columns are
-- set together or not at all, and a subject belongs to one user.
ALTER TABLE users
    ADD COLUMN oidc_issuer  text,
    ADD COLUMN oidc_subject text,
    ADD CONSTRAINT users_oidc_subject_key UNIQUE (oidc_issuer, oidc_subject),
    ADD CONSTRAINT users_oidc_both CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL));
