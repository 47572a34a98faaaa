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

# Déclarer ses heures et envoyer une photo de l'attestation signée.
form-error-heading = Quelque chose ne va pas
error-prefix = Erreur :
report-heading = Déclarer des heures
report-intro = Vous avez participé ? Déclarez vos heures ici. L'organisation les vérifie.
report-none = Vous ne pouvez pas déclarer d'heures maintenant. Demandez à votre accompagnateur.
report-date = Date
report-date-hint = Par exemple 23/11/2026. Pas dans le futur.
report-placement = Où
report-duration = Combien de temps
report-duration-hint = Par exemple 2u30, 2:30 ou 2,5. Au maximum 12 heures par jour.
report-submit = Déclarer les heures
report-done = Merci. Vos heures sont déclarées. L'organisation doit encore les confirmer.
report-error-date = Indiquez une date, par exemple 23/11/2026.
report-error-future = Le { $date } est dans le futur. Déclarez les heures seulement après les avoir faites.
report-error-before-start = Le { $date } est avant le début ({ $start }).
report-error-after-end = Le { $date } est après la fin ({ $end }).
report-error-day-limit = Le { $date }, il y a déjà { $already }. Plus de 12 heures par jour, ce n'est pas possible.
report-error-too-long = Au maximum 12 heures par jour. Indiquez moins.
report-error-duration = Indiquez combien de temps, par exemple 2u30 ou 2,5.
report-error-closed = On ne peut plus ajouter d'heures ici. Demandez à votre accompagnateur.
report-error-placement = Choisissez où vous avez participé.
report-error-too-many = Vous avez déjà beaucoup déclaré cette heure-ci. Réessayez plus tard.
upload-heading = Photo de l'attestation signée
upload-intro = Prenez une photo de votre attestation de participation signée et envoyez-la ici.
upload-file = Photo ou PDF
upload-file-hint = Une photo (JPEG ou PNG) ou un PDF, 5 Mo au maximum.
upload-submit = Envoyer la photo
upload-done = Merci. Votre photo est enregistrée. Votre accompagnateur peut la voir.
upload-error-empty = Choisissez une photo ou un PDF.
upload-error-too-large = Le fichier dépasse 5 Mo. Prenez une photo plus petite.
upload-error-type = Ce n'est pas une photo ni un PDF. Envoyez un JPEG, un PNG ou un PDF.
