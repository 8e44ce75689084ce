import type { Shape } from '../shape';

/** Messages of sign-in and of the account menu. */
export const fr = {
  signIn: 'Se connecter',
  signOut: 'Se déconnecter',
  title: 'Connexion',
  intro: 'Connectez-vous avec le compte que votre organisation vous a ouvert sur Escale.',
  email: 'Adresse e-mail',
  password: 'Mot de passe',
  showPassword: 'Afficher ou masquer le mot de passe',
  submit: 'Se connecter',
  oidc: 'Se connecter avec le fournisseur d’identité de mon organisation',
  or: 'ou',
  failed: 'Adresse e-mail ou mot de passe incorrect.',
  error: 'La connexion a échoué ({{message}}).',
  signedInAs: 'Connecté en tant que {{name}}',
  account: 'Mon compte',
  required: 'Cette page demande d’être connecté.',
  expired: 'Votre session a expiré : connectez-vous à nouveau.',
  forbidden: 'Votre compte n’a pas accès à cette page.',
};

export const en: Shape<typeof fr> = {
  signIn: 'Sign in',
  signOut: 'Sign out',
  title: 'Sign in',
  intro: 'Sign in with the account your organisation opened for you on Escale.',
  email: 'E-mail address',
  password: 'Password',
  showPassword: 'Show or hide the password',
  submit: 'Sign in',
  oidc: 'Sign in with my organisation’s identity provider',
  or: 'or',
  failed: 'Wrong e-mail address or password.',
  error: 'Sign-in failed ({{message}}).',
  signedInAs: 'Signed in as {{name}}',
  account: 'My account',
  required: 'This page needs you to be signed in.',
  expired: 'Your session has expired: please sign in again.',
  forbidden: 'Your account has no access to this page.',
};
