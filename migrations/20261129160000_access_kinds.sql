-- Two more kinds of looks for the access log (domain::access): the inburgeraar opening their
-- own page through their personal link (no user: the link is the key), and a printed bewijs
-- van deelname (it shows the participant's name and hours on paper).
ALTER TYPE access_kind ADD VALUE 'mijn_traject';
ALTER TYPE access_kind ADD VALUE 'bewijs';
