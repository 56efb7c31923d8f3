// French and English for the dashboard: the language comes from the user's last choice, else the browser's,
// and decides the Intl locale used by format.ts.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import fr from './fr.json';

const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];
const STORAGE_KEY = 'mesure.lang';

function storedLang(): Lang | null {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return LANGS.find((l) => l === v) ?? null;
  } catch {
    return null;
  }
}

/** The language to start in: the saved choice, else the browser's, else English. */
export function initialLang(): Lang {
  const saved = storedLang();
  if (saved) return saved;
  const nav = globalThis.navigator?.language?.toLowerCase() ?? '';
  return nav.startsWith('fr') ? 'fr' : 'en';
}

/** The Intl locale for a language: the browser's own variant when it speaks it (fr-CA, en-GB), else a default. */
export function localeFor(lang: Lang): string {
  const nav = globalThis.navigator?.language ?? '';
  if (nav.toLowerCase().startsWith(lang)) return nav;
  return lang === 'fr' ? 'fr-FR' : 'en-US';
}

export function initI18n(lang: Lang = initialLang()) {
  if (!i18n.isInitialized) {
    void i18n.use(initReactI18next).init({
      resources: { en: { translation: en }, fr: { translation: fr } },
      lng: lang,
      fallbackLng: 'en',
      interpolation: { escapeValue: false }, // React escapes
      returnNull: false,
    });
  } else if (i18n.language !== lang) {
    void i18n.changeLanguage(lang);
  }
  if (globalThis.document) document.documentElement.lang = lang;
  return i18n;
}

export function setLang(lang: Lang): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  if (globalThis.document) document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}
