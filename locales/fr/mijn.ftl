# Mon parcours : la page de la personne en parcours d'intégration. Phrases courtes, mots simples.

page-title = Mon parcours
language-label = Langue
intro = C'est votre page. Ici, vous voyez vos heures et où vous participez.
private-note = Ce lien est seulement pour vous. Ne le donnez pas à d'autres personnes.

progress-heading = Vos heures
progress-confirmed = Vous avez { $confirmed } sur { $required }.
progress-pending = { $pending } attend encore une confirmation.
progress-remaining = Encore { $remaining } à faire.
progress-done = Vous avez toutes vos heures. Bravo !
explain-confirmed = Confirmé : l'organisation dit que c'est correct.
explain-pending = En attente : l'organisation doit encore vérifier.

certificate-heading = Votre certificat
certificate-issued = Vous avez reçu votre certificat le { $date }.
certificate-number = Numéro : { $number }
certificate-download = Télécharger votre certificat (PDF)
certificate-none = Vous n'avez pas encore de certificat. Vous le recevez quand vous avez toutes vos heures.

placements-heading = Où vous participez
placements-none = Vous ne participez encore nulle part. Votre accompagnateur cherche une place avec vous.
placement-kind = Forme
placement-where = Où
placement-when = Quand
placement-period = du { $from } au { $to }
placement-status = Statut
where-unknown = Demandez l'adresse à votre accompagnateur.

kind-buddy = Binôme (buddy)
kind-stage = Stage
kind-vrijwilligerswerk = Bénévolat
kind-taalstage = Stage linguistique

status-gepland = Prévu
status-lopend = En cours
status-afgerond = Terminé
status-geannuleerd = Arrêté

hours-confirmed = Confirmé
hours-pending = En attente

entries-heading = Vos heures par jour
entries-none = Il n'y a pas encore d'heures.
col-date = Date
col-where = Où
col-hours = Heures
col-status = Statut
entry-bevestigd = Confirmé
entry-ingediend = En attente
entry-afgewezen = Pas accepté

help = Vous avez une question ? Quelque chose n'est pas correct ? Demandez à votre accompagnateur.
footer = Veertig · parcours de participation et de réseau, intégration civique

link-invalid-title = Ce lien ne fonctionne pas
link-invalid-text = Ce lien ne fonctionne pas (plus). Demandez un nouveau lien à votre accompagnateur.

duration-hours-minutes = { $hours } h { $minutes }
duration-hours = { $hours } h
duration-minutes = { $minutes } min
