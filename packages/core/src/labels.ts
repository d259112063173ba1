/** The one name of the benign class, in the database, the model and the API. */
export const BENIGN_LABEL = 'benign';
/** Families too small to learn are folded into this class (the seed notebook's name). */
export const MERGED_LABEL = 'mergedDGA';
/** Reported when the model's top probability is below its open-set threshold. */
export const UNCERTAIN_LABEL = 'uncertain';
