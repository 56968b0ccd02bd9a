/** The API's base URL, without a trailing slash. */
export const API_URL = String(import.meta.env.VITE_API_URL || 'http://localhost:3000').replace(/\/+$/, '');

/** What every page says after a 401. */
export const SESSION_EXPIRED = 'Session expired, please log in again';
