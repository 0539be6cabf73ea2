// Offer banners: dismissal remembered in this browser only; the dialog placement opens as a <dialog>.
